import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { ConsentSchema } from '../policy/policy-schema.ts'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { skipUnless } from '../../../test/helpers/needs.ts'
import { hasOpenssl, makeTestPki, type TestPki } from '../../../test/helpers/smime-pki.ts'
import { smimeVaultKeys } from '../../../test/helpers/smime-vault.ts'
import type { StoredKey } from '../keys/stored-key.ts'
import { fileSource } from '../mime/byte-source.ts'
import { generateOpenpgpKey } from '../openpgp/generate.ts'
import { defaultPolicy } from '../policy/policy-settings.ts'
import { openMessage } from './open.ts'
import { planMessage } from './recipient-plan.ts'
import { composeCopy, composeSentItem, type SplitInput } from './split-compose.ts'
import { messageTechnologies } from './technologies.ts'

const now = new Date(Date.now() + 60_000)

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))('the copies of a split mail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-split-'))
  let pki: TestPki
  let alice: StoredKey[]
  let fran: StoredKey[]
  let vault: StoredKey[]
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  beforeAll(async () => {
    pki = makeTestPki(dir)
    const { own, publicOnly, anchor } = smimeVaultKeys(pki)
    const aliceOpenpgp = await generateOpenpgpKey({
      name: 'Alice',
      email: 'alice@example.org',
      algorithm: 'curve25519',
      now,
    })
    const max = await generateOpenpgpKey({ name: 'Max', email: 'max@mandant.test', algorithm: 'curve25519', now })
    alice = [own(pki.alice), aliceOpenpgp, ...anchor]
    fran = [own(pki.fran), ...anchor]
    vault = [...alice, publicOnly(pki.fran), { ...max, hasSecret: false }]
  })

  const input = (over: Partial<SplitInput> = {}): SplitInput => ({
    from: 'alice@example.org',
    to: ['fran@example.org', 'max@mandant.test'],
    cc: ['neu@firma.de'],
    bcc: ['archiv@firma.de'],
    subject: 'Jahresabschluss 2025',
    body: 'Anbei der Entwurf.',
    attachments: [],
    sign: undefined,
    ...over,
  })
  const policy = {
    ...defaultPolicy(),
    consents: [
      ConsentSchema.parse({ address: 'firma.de', channel: 'tls', by: 'Chefin', note: null, date: now.toISOString() }),
    ],
  }
  const split = async (over: Partial<SplitInput> = {}, keys = vault) => {
    const mail = input(over)
    const plan = planMessage({ ...mail, mode: 'auto' }, { keys, technologies: messageTechnologies, policy, now })
    const context = { keys, now, technologies: messageTechnologies }
    const copies = []
    for (const copy of plan.copies) copies.push(await composeCopy(mail, copy, context, '<m@example.org>'))
    return { plan, copies, sent: await composeSentItem(mail, plan, context, '<m@example.org>') }
  }
  const open = async (bytes: Uint8Array, keys: StoredKey[]) =>
    (await openMessage(bytes, messageTechnologies, { keys, now })).document

  it('encrypts each end-to-end copy to its recipients and the sender, signs the TLS copies with S/MIME, and never names the Bcc recipient elsewhere', async () => {
    const { copies } = await split()
    expect(copies.map((c) => [c.protection, c.recipients, c.technology, c.encrypted, c.signed, c.messageId])).toEqual([
      ['smime', ['fran@example.org'], 'smime', true, true, '<m@example.org>'],
      ['openpgp', ['max@mandant.test'], 'openpgp', true, true, '<m@example.org>'],
      ['tls', ['neu@firma.de'], 'smime', false, true, '<m@example.org>'],
      ['tls', ['archiv@firma.de'], 'smime', false, true, '<m@example.org>'],
    ])
    expect(copies[0]!.encryptedTo).toHaveLength(2)
    for (const copy of copies.slice(0, 2))
      expect((await open(copy.bytes, alice)).security.encryption.state).toBe('encrypted')
    expect((await open(copies[0]!.bytes, fran)).security.encryption.state).toBe('encrypted')
    const tls = await open(copies[2]!.bytes, fran)
    expect(tls.security.encryption.state).toBe('none')
    expect(tls.security.signature).toMatchObject({ state: 'valid', technology: 'smime', signer: 'alice@example.org' })
    expect(tls.headers.subject).toBe('Jahresabschluss 2025')
    for (const copy of copies.slice(0, 3)) expect(copy.bytes.toString('latin1')).not.toMatch(/archiv|^Bcc:/im)
    expect(copies[3]!.bytes.toString('latin1')).not.toMatch(/^Bcc:/im)
  })

  it('leaves a TLS copy unsigned when the sender has no S/MIME certificate (never an OpenPGP signature), and refuses --sign then', async () => {
    const withoutCertificate = vault.filter((k) => k.technology !== 'smime' || !k.hasSecret)
    const { copies } = await split({ to: ['neu@firma.de'], cc: [], bcc: [] }, withoutCertificate)
    expect(copies.map((c) => [c.protection, c.technology, c.signed])).toEqual([['tls', null, false]])
    expect(copies[0]!.bytes.toString('latin1')).not.toContain('BEGIN PGP')
    await expect(
      split({ to: ['neu@firma.de'], cc: [], bcc: [], sign: true }, withoutCertificate),
    ).rejects.toMatchObject({ code: 'COMPOSE_NO_SIGNER' })
  })

  it('builds one Sent item encrypted to the sender only, with every recipient (Bcc included) and what each got inside', async () => {
    const { sent } = await split()
    expect(sent).toMatchObject({ technology: 'smime', encrypted: true, recipients: ['alice@example.org'] })
    expect(sent.encryptedTo).toEqual([alice[0]!.fingerprint])
    expect(sent.bytes.toString('latin1')).not.toMatch(/archiv|Delivery|Jahresabschluss/)
    const opened = await open(sent.bytes, alice)
    expect(opened.security.encryption.state).toBe('encrypted')
    expect(opened.headers.subject).toBe('Jahresabschluss 2025')
    expect((await open(sent.bytes, fran)).security.encryption.state).toBe('failed')
  })

  it('signs a TLS copy with a large attachment in chunks: the same valid S/MIME signature, the attachment byte for byte', async () => {
    const bytes = randomBytes(3 * 1024 * 1024)
    const path = join(dir, 'gross.pdf')
    writeFileSync(path, bytes)
    const source = fileSource(path)
    try {
      const mail = input({
        to: ['neu@firma.de'],
        cc: [],
        bcc: [],
        attachments: [{ fileName: 'gross.pdf', contentType: 'application/pdf', bytes: source }],
      })
      const plan = planMessage(
        { ...mail, mode: 'auto' },
        { keys: vault, technologies: messageTechnologies, policy, now },
      )
      const context = { keys: vault, now, technologies: messageTechnologies, streaming: { tempDir: dir } }
      const copy = await composeCopy(mail, plan.copies[0]!, context, '<m@example.org>')
      expect(copy).toMatchObject({ protection: 'tls', technology: 'smime', signed: true, encrypted: false })
      const opened = await openMessage(copy.bytes, messageTechnologies, { keys: fran, now })
      try {
        expect(opened.document.security.signature).toMatchObject({ state: 'valid', technology: 'smime' })
        const chunks: Uint8Array[] = []
        for await (const chunk of opened.attachmentChunks[0]!()) chunks.push(chunk)
        expect(Buffer.concat(chunks).equals(bytes)).toBe(true)
      } finally {
        opened.dispose()
      }
    } finally {
      source.close()
    }
  })
})
