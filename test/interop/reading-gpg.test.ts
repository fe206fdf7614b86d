import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { messageTechnologies } from '../../main/core/message/technologies.ts'
import { openForReading } from '../../main/core/reading/open-for-reading.ts'
import { withRecord, type SenderRecord } from '../../main/core/reading/sender-history.ts'
import type { Vault } from '../../main/core/keys/vault.ts'
import { makeReadFixtures, pdfBytes, type ReadFixtures } from '../e2e/read-fixtures.ts'
import { hasGpg } from '../helpers/gpg.ts'
import { skipUnless } from '../helpers/needs.ts'
import { hasOpenssl } from '../helpers/smime-pki.ts'
import { tempVault } from '../helpers/openpgp-fixtures.ts'

const skip =
  skipUnless('gpg', hasGpg, 'apt-get install gnupg') || skipUnless('openssl', hasOpenssl, 'apt-get install openssl')

describe.skipIf(skip)('reading messages made by GnuPG and OpenSSL', () => {
  let vault: Vault
  let close: () => Promise<void>
  let fixtures: ReadFixtures
  let senders: SenderRecord[] = []
  beforeAll(async () => {
    const temp = await tempVault()
    vault = temp.vault
    close = temp.close
    fixtures = await makeReadFixtures(join(temp.dir, 'mails'), 'http://127.0.0.1:9')
    await fixtures.fillVault(vault)
  }, 120_000)
  afterAll(async () => {
    fixtures?.close()
    await close?.()
  })
  const read = async (name: keyof ReadFixtures['files']) => {
    const reading = await openForReading(new Uint8Array(readFileSync(fixtures.files[name])), {
      technologies: messageTechnologies,
      context: { keys: vault.contents.keys, now: new Date() },
      senders,
      requiresTls: (target) => target === 'kanzlei-berger.example',
    })
    if (reading.senderRecord) senders = withRecord(senders, reading.senderRecord)
    return reading
  }

  it('encrypted and signed by a verified key: state 1, text and the PDF, first contact', async () => {
    const reading = await read('encrypted')
    expect(reading.summary.state).toBe('encrypted-verified')
    expect(reading.parts.map((p) => [p.kind, p.encrypted, p.signed])).toEqual([
      ['text', true, true],
      ['attachment', true, true],
    ])
    expect(reading.parts[0]).toMatchObject({ text: expect.stringContaining('Einkommensteuerbescheid 2025') })
    expect(Buffer.compare(Buffer.concat([...reading.result.attachmentChunks[0]!()]), pdfBytes)).toBe(0)
    expect(reading.signer).toMatchObject({ email: 'info@kanzlei-berger.example', acceptance: 'verified' })
    expect(reading.summary.warnings.map((w) => w.code)).toContain('first-contact')
  })

  it('the second mail of that sender is no first contact; signed only is state 5', async () => {
    const reading = await read('signed')
    expect(reading.summary.state).toBe('signed')
    expect(reading.summary.warnings.map((w) => w.code)).not.toContain('first-contact')
    // One hop without TLS, and a rule requires TLS for the sender's domain.
    expect(reading.summary.warnings.map((w) => w.code)).toContain('plaintext-hop')
    expect(reading.document.security.transport.hops.map((hop) => hop.tls)).toEqual([true, false])
  })

  it('a signature by another address is state 6, a changed body state 7, a missing key state 9', async () => {
    expect((await read('mismatch')).summary.state).toBe('mismatch')
    expect((await read('invalid')).summary.state).toBe('invalid')
    const hidden = await read('cannotDecrypt')
    expect(hidden.summary.state).toBe('cannot-decrypt')
    expect(hidden.parts).toEqual([])
  })

  it('text around an encrypted part: partly protected, the encrypted part left closed', async () => {
    const reading = await read('partly')
    expect(reading.summary.state).toBe('partly-protected')
    expect(reading.parts.map((p) => [p.kind, p.encrypted])).toEqual([
      ['text', false],
      ['not-opened', true],
      ['attachment', true],
    ])
  })

  it('HTML comes as its own part with the cid image as data: URL and the plain version beside it', async () => {
    const reading = await read('html')
    expect(reading.summary.state).toBe('plain')
    const html = reading.parts.find((p) => p.kind === 'html')
    expect(html).toMatchObject({
      alternativeText: expect.stringContaining('Textfassung'),
      images: [{ cid: 'logo@kanzlei', dataUrl: expect.stringMatching(/^data:image\/png;base64,/) }],
    })
  })

  it('S/MIME from OpenSSL, signed by a certificate of a trusted CA and encrypted to the reader: state 2', async () => {
    const reading = await read('smime')
    expect(reading.document.security.encryption).toMatchObject({ state: 'encrypted', technology: 'smime' })
    expect(reading.summary.state).toBe('encrypted-unverified')
    expect(reading.parts[0]).toMatchObject({
      kind: 'text',
      text: expect.stringContaining('Lohnunterlagen'),
      encrypted: true,
      signed: true,
    })
  })

  it('encrypted without a signature is state 4, encrypted and signed by an unknown key state 3', async () => {
    expect((await read('encryptedUnsigned')).summary.state).toBe('encrypted-unsigned')
    expect((await read('encryptedUnknownKey')).summary.state).toBe('encrypted-unknown-key')
  })

  it('the advisor signing with another key after the first one: state 13, with the previous key', async () => {
    const reading = await read('keyChanged')
    expect(reading.summary.state).toBe('key-changed')
    expect(reading.summary.warnings.map((w) => w.code)).toContain('sender-key-changed')
    expect(reading.previousKey?.fingerprint).toBeTruthy()
    expect(reading.previousKey?.fingerprint).not.toBe(reading.signer?.fingerprint)
  })

  it('a key attached to a mail is offered as a file, not imported', async () => {
    const before = vault.contents.keys.length
    const reading = await read('offered')
    expect(reading.offeredKeyFiles).toHaveLength(1)
    expect(reading.offeredKeyFiles[0]!.armored).toContain('BEGIN PGP PUBLIC KEY BLOCK')
    expect(reading.summary.state).toBe('signature-not-valid')
    expect(vault.contents.keys.length).toBe(before)
  })
})
