import { generateKey, readKey, revokeKey } from 'openpgp'
import { describe, expect, it } from 'vitest'
import { summarizeKey } from '../keys/stored-key.ts'
import { openpgpConfig } from './config.ts'
import { emailOf } from './key-info.ts'
import { openpgpTechnology, toStoredKey } from './key-technology.ts'

const now = new Date()
const userIDs = [{ name: 'Erika Muster', email: 'Erika@Mandant.test' }]

describe('OpenPGP key summary and flags', () => {
  it('reads addresses from user ids, lower-cased', () => {
    expect(emailOf('Erika Muster <Erika@Mandant.test>')).toBe('erika@mandant.test')
    expect(emailOf('erika@mandant.test')).toBe('erika@mandant.test')
    expect(emailOf('Nur ein Name')).toBeNull()
  })

  it('flags a key without encryption subkey as unusable, with the reason', async () => {
    const { privateKey } = await generateKey({
      userIDs,
      subkeys: [],
      date: now,
      format: 'object',
      config: openpgpConfig,
    })
    const stored = await toStoredKey(privateKey, now)
    expect(stored.flags.unusableReason).toMatch(/no usable encryption subkey/)
    expect(summarizeKey(stored, now).status).toBe('unusable')
    expect(stored.usage).toEqual(['sign', 'certify'])
  })

  it('flags RSA keys under 2048 bits', async () => {
    const { privateKey } = await generateKey({
      type: 'rsa',
      rsaBits: 1024,
      userIDs,
      date: now,
      format: 'object',
      config: { ...openpgpConfig, minRSABits: 1024 },
    })
    const stored = await toStoredKey(privateKey, now)
    expect(stored.flags.unusableReason).toMatch(/RSA key with 1024 bits/)
    expect(summarizeKey(stored, now).status).toBe('unusable')
  })

  it('reports expired and revoked keys by status', async () => {
    const past = new Date(now.getTime() - 10 * 24 * 3600 * 1000)
    const expired = await generateKey({
      userIDs,
      keyExpirationTime: 3600,
      date: past,
      format: 'object',
      config: openpgpConfig,
    })
    const expiredStored = await toStoredKey(expired.privateKey, now)
    expect(summarizeKey(expiredStored, now).status).toBe('expired')
    expect(Date.parse(expiredStored.expires!)).toBe(Math.floor(past.getTime() / 1000) * 1000 + 3600 * 1000)
    const fresh = await generateKey({ userIDs, date: now, format: 'object', config: openpgpConfig })
    const { privateKey } = await revokeKey({
      key: fresh.privateKey,
      date: now,
      format: 'object',
      config: openpgpConfig,
    })
    expect(summarizeKey(await toStoredKey(privateKey, now), now).status).toBe('revoked')
  })

  it('imports several armored blocks of one file and exports public keys without secret material', async () => {
    const a = await generateKey({ userIDs, date: now, format: 'armored', config: openpgpConfig })
    const b = await generateKey({
      userIDs: [{ email: 'zweite@kanzlei.test' }],
      date: now,
      format: 'armored',
      config: openpgpConfig,
    })
    const file = {
      bytes: new TextEncoder().encode(`Hier meine Schlüssel:\n${a.publicKey}\n\n${b.privateKey}\n`),
      fileName: 'keys.txt',
    }
    expect(openpgpTechnology.detect(file)).toBe(true)
    const keys = await openpgpTechnology.import(file, { passphrase: null, now })
    expect(keys.map((k) => [k.emails, k.hasSecret])).toEqual([
      [['erika@mandant.test'], false],
      [['zweite@kanzlei.test'], true],
    ])
    const exported = new TextDecoder().decode(
      await openpgpTechnology.export(keys[1]!, { part: 'public', format: undefined, passphrase: null, compat: false }),
    )
    expect((await readKey({ armoredKey: exported })).isPrivate()).toBe(false)
    await expect(
      openpgpTechnology.export(keys[1]!, { part: 'public', format: 'p12', passphrase: null, compat: false }),
    ).rejects.toMatchObject({ code: 'OPENPGP_EXPORT_FORMAT' })
  })

  it('does not claim S/MIME files', () => {
    const pem = new TextEncoder().encode('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')
    expect(openpgpTechnology.detect({ bytes: pem, fileName: 'cert.pem' })).toBe(false)
    expect(openpgpTechnology.detect({ bytes: new Uint8Array([0x30, 0x82, 0x01, 0x00]), fileName: 'x.p12' })).toBe(false)
  })
})
