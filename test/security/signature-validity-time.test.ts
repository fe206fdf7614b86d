import { describe, expect, it } from 'vitest'
import { openMessage } from '../../main/core/message/open.ts'
import { messageTechnologies } from '../../main/core/message/technologies.ts'
import { entity } from '../../main/core/mime/build.ts'
import { generateOpenpgpKey } from '../../main/core/openpgp/generate.ts'
import { openpgpMessageTechnology } from '../../main/core/openpgp/pgp-mime.ts'
import { generateKey, reformatKey } from 'openpgp'
import { openpgpConfig } from '../../main/core/openpgp/config.ts'
import { toStoredKey } from '../../main/core/openpgp/key-technology.ts'

const day = 24 * 3600 * 1000

describe('a signature is judged at its own creation time, not at the Date header or today', () => {
  it('stays valid after the key expired, and is invalid when made after the expiry, whatever the Date header says', async () => {
    const born = new Date(Date.now() - 30 * day)
    // The signing copy never expires; the copy the reader has says (self-signatures dated at
    // creation) that the key expired after 10 days. openpgp.js would refuse to sign with an
    // expired key, so this is how a signature made after the expiry is produced.
    const userIDs = [{ name: 'Anna', email: 'anna@kanzlei.test' }]
    const { privateKey } = await generateKey({ userIDs, date: born, format: 'object', config: openpgpConfig })
    const signing = await toStoredKey(privateKey, born)
    const reformatted = await reformatKey({
      privateKey,
      userIDs,
      date: born,
      keyExpirationTime: 10 * 24 * 3600,
      format: 'object',
      config: openpgpConfig,
    })
    const anna = { ...(await toStoredKey(reformatted.privateKey, born)), hasSecret: false }
    expect(anna.fingerprint).toBe(signing.fingerprint)
    const content = entity([['Content-Type', 'text/plain; charset=utf-8']], 'Freigabe erteilt.\r\n')
    const mailSignedAt = async (signedAt: Date, dateHeader: Date) =>
      Buffer.concat([
        Buffer.from(`From: anna@kanzlei.test\r\nDate: ${dateHeader.toUTCString()}\r\nMIME-Version: 1.0\r\n`),
        await openpgpMessageTechnology.sign(content, signing, signedAt),
      ])
    const opened = async (bytes: Uint8Array) =>
      (await openMessage(bytes, messageTechnologies, { keys: [anna], now: new Date() })).document.security
    const open = async (bytes: Uint8Array) => (await opened(bytes)).signature

    const inTime = new Date(born.getTime() + 2 * day)
    expect(await open(await mailSignedAt(inTime, inTime))).toMatchObject({
      state: 'valid',
      signer: 'anna@kanzlei.test',
    })
    // Backdating the Date header does not rescue a signature made after the key expired.
    const late = new Date(born.getTime() + 20 * day)
    const backdated = await open(await mailSignedAt(late, inTime))
    expect(backdated.state).toBe('invalid')
    expect(backdated.code).toBe('SIGNATURE_KEY_NOT_VALID_THEN')
    // A valid signature far from its Date header stays valid, with a warning.
    const gap = await opened(await mailSignedAt(inTime, new Date(inTime.getTime() - 60 * day)))
    expect(gap.signature.state).toBe('valid')
    expect(gap.warnings.map((w) => w.code)).toEqual(['date-gap'])
  })

  it('a signature dated in the future beyond the tolerated clock skew is not valid', async () => {
    const anna = await generateOpenpgpKey({
      name: 'Anna',
      email: 'anna@kanzlei.test',
      algorithm: 'curve25519',
      now: new Date(Date.now() - day),
    })
    const content = entity([['Content-Type', 'text/plain']], 'x\r\n')
    const future = new Date(Date.now() + 2 * day)
    const mail = Buffer.concat([
      Buffer.from('From: anna@kanzlei.test\r\nMIME-Version: 1.0\r\n'),
      await openpgpMessageTechnology.sign(content, anna, future),
    ])
    const { document } = await openMessage(mail, messageTechnologies, { keys: [anna], now: new Date() })
    expect(document.security.signature.state).toBe('invalid')
  })
})
