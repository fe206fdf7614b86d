import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { skipUnless } from '../../../test/helpers/needs.ts'
import { hasOpenssl, makeTestPki, openssl, type TestPki } from '../../../test/helpers/smime-pki.ts'
import { smimeVaultKeys } from '../../../test/helpers/smime-vault.ts'
import type { StoredKey } from '../keys/stored-key.ts'
import { messageTechnologies } from '../message/technologies.ts'
import { openForReading } from './open-for-reading.ts'

/**
 * A validly signed S/MIME mail leaves its signer's certificate for encrypting the reply; a
 * signature that does not chain to a trusted anchor, or a certificate already kept, leaves nothing.
 */
const skip = skipUnless('openssl', hasOpenssl, 'apt-get install openssl')
let dir = ''
let pki: TestPki
let signedMail: Uint8Array
const now = new Date()

beforeAll(() => {
  if (skip) return
  dir = mkdtempSync(join(tmpdir(), 'sp-collect-'))
  pki = makeTestPki(dir)
  writeFileSync(
    join(dir, 'inner'),
    'Content-Type: text/plain; charset=utf-8\r\n\r\nGuten Tag, anbei die Unterlagen.\r\n',
  )
  // prettier-ignore
  const signed = openssl(['smime', '-sign', '-in', 'inner', '-signer', 'alice.pem', '-inkey', 'alice.key', '-certfile',
    'ca.pem', '-from', 'Alice Beraterin <alice@example.org>', '-to', 'fran@example.org', '-subject', 'Unterlagen'], { cwd: dir })
  signedMail = new Uint8Array(signed)
}, 60_000)
afterAll(() => dir && rmSync(dir, { recursive: true, force: true }))

const read = (keys: StoredKey[]) =>
  openForReading(signedMail, {
    technologies: messageTechnologies,
    context: { keys, now },
    senders: [],
    requiresTls: () => false,
  })

describe.skipIf(skip)('S/MIME certificates from validly signed mail', () => {
  it('keeps the signer’s certificate, public only and not compared, when it chains to a trusted anchor', async () => {
    const reading = await read([...smimeVaultKeys(pki).anchor])
    reading.result.dispose()
    expect(reading.document.security.signature.state).toBe('valid')
    const kept = reading.collectedCertificate
    expect(kept?.technology).toBe('smime')
    expect(kept?.fingerprint).toBe(createHash('sha256').update(pki.alice.certificate).digest('hex').toUpperCase())
    expect(kept?.emails).toContain('alice@example.org')
    expect(kept?.hasSecret).toBe(false)
    expect(kept?.acceptance).toBe('unverified')
  })

  it('keeps nothing when the issuer is not trusted, or when the certificate is already in the vault', async () => {
    const untrusted = await read([])
    untrusted.result.dispose()
    expect(untrusted.document.security.signature.state).not.toBe('valid')
    expect(untrusted.collectedCertificate).toBeNull()
    const keys = smimeVaultKeys(pki)
    const known = await read([...keys.anchor, keys.publicOnly(pki.alice)])
    known.result.dispose()
    expect(known.document.security.signature.state).toBe('valid')
    expect(known.collectedCertificate).toBeNull()
  })
})
