import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { StoredKey } from '../../main/core/keys/stored-key.ts'
import { openMessage, type OpenDocument } from '../../main/core/message/open.ts'
import { messageTechnologies } from '../../main/core/message/technologies.ts'
import { httpRevocationFetchers } from '../../main/core/smime/revocation-http.ts'
import { smimeTechnology, trustAnchorEntries } from '../../main/core/smime/smime-keys.ts'
import { skipUnless } from '../helpers/needs.ts'
import { repoRoot } from '../helpers/run-cli.ts'

/**
 * EXPECTED-RESULTS-browser-smime.tsv (Thunderbird's UI tests) through `open`: what is displayed.
 * Keys: the browser data's Alice.p12 and Bob.p12 (password "nss"), TestCA.pem as anchor.
 */
const root = join(repoRoot, '..', 'shared', 'corpora', 'thunderbird-smime')
const data = join(root, 'mail', 'test', 'browser', 'smime', 'data')
const hasCorpus = existsSync(join(root, 'EXPECTED-RESULTS-browser-smime.tsv'))
const now = new Date('2026-06-01T00:00:00Z')
/** Revocation is checked as `open` does, with the guard explicit: corpus certificates never lead off this machine. */
const revocation = httpRevocationFetchers({ policy: 'loopback-only' })
const aliceText = 'This is a test message from Alice to Bob.'

const checks: Record<string, (d: OpenDocument) => void> = {
  'alice.sig.SHA256.opaque.eml': (d) => {
    expect(d.text).toContain(aliceText)
    expect(d.security.signature.state).toBe('valid')
  },
  // The row expects only the text. This file carries an Alice certificate from a regenerated CA: its
  // signature does not verify under TestCA.pem (openssl cms -verify: "certificate signature failure").
  'alice.html.sig.SHA256.opaque.eml': (d) => {
    expect(d.text).toContain(aliceText)
    expect(d.security.signature.state).toBe('invalid')
    expect(d.security.signature.code).toBe('SIGNATURE_CERTIFICATE_INVALID')
  },
  'alice.sig.SHA256.opaque.env.eml': (d) => {
    expect(d.text).toContain(aliceText)
    expect(d.security).toMatchObject({ encryption: { state: 'encrypted' }, signature: { state: 'valid' } })
  },
  'alice.html.sig.SHA256.opaque.env.eml': (d) => {
    expect(d.text).toContain(aliceText)
    expect(d.security).toMatchObject({ encryption: { state: 'encrypted' }, signature: { state: 'valid' } })
  },
  // Reply oracle: the second alternative is encrypted; nothing nested is decrypted, so it is never shown (or quoted).
  'multipart-alternative.eml': (d) => {
    expect(JSON.stringify(d)).not.toContain('SECRET-TEXT')
    expect(d.security.encryption.state).toBe('none')
  },
  // Deviation: the inner signed mail is a message/rfc822 attachment here (a forwarded message is never part of
  // the outer message's view); Thunderbird renders it inline. The outer level is shown; its signature is SHA-1.
  'nested-sigs.eml': (d) => {
    expect(d.text).toContain('level 1')
    expect(d.attachments.some((a) => a.contentType === 'message/rfc822')).toBe(true)
    expect(d.security.signature.state).toBe('invalid')
  },
  'alice.dsig.SHA256.multipart.env.eml': (d) => {
    expect(d.text).toContain(aliceText)
    expect(d.security).toMatchObject({ encryption: { state: 'encrypted' }, signature: { state: 'valid' } })
  },
  // A signed part inside multipart/mixed (list footer) is displayed, but the message is not shown as signed.
  'alice.dsig.SHA256.multipart.in.mixed.eml': (d) => {
    expect(d.text).toContain(aliceText)
    expect(d.security.signature.state).toBe('none')
    expect(d.security.signature.code).toBeNull()
    expect(d.security.warnings.map((w) => w.code)).toEqual(['partly-protected'])
  },
  'alice.dsig.SHA256.multipart.in.mixed.with.header.eml': (d) => {
    expect(d.text).toContain(aliceText)
    expect(d.security.signature.state).toBe('none')
  },
  // Encrypted to a Bob key the corpus does not include: a failed state, nothing shown, nothing fetched.
  '(corpus-root)/extra-from-newer-upstream/alice.remoteimage.env.eml': (d) => {
    expect(d.security.encryption).toMatchObject({ state: 'failed', technology: 'smime' })
    expect(d.text).toBe('')
  },
  '(corpus-root)/extra-from-newer-upstream/pgp-sig-wrapping-smime-enc.eml': (d) => {
    expect(d.security.encryption).toMatchObject({ state: 'failed', technology: 'smime' })
    expect(d.security.signature.state).toBe('none')
    expect(d.text).toBe('')
  },
}

const rows = hasCorpus
  ? readFileSync(join(root, 'EXPECTED-RESULTS-browser-smime.tsv'), 'utf8')
      .split('\n')
      .filter((line) => line && !line.startsWith('#') && !line.startsWith('file\t'))
      .map((line) => line.split('\t')[0]!)
  : []

describe.skipIf(
  skipUnless('Thunderbird S/MIME corpus', hasCorpus, 'put the corpora in ../shared/corpora (see the README)'),
)('Thunderbird S/MIME browser rows through open', () => {
  it('has a check for every row', () => {
    expect(rows.sort()).toEqual(Object.keys(checks).sort())
  })

  it.each(rows.map((file) => [file]))('%s', async (file) => {
    const keys: StoredKey[] = []
    for (const p12 of ['Alice.p12', 'Bob.p12']) {
      keys.push(
        ...(await smimeTechnology.import(
          { bytes: readFileSync(join(data, p12)), fileName: p12 },
          { passphrase: new TextEncoder().encode('nss'), now },
        )),
      )
    }
    keys.push(...trustAnchorEntries(readFileSync(join(data, 'TestCA.pem')), 'TestCA.pem'))
    const path = file.startsWith('(corpus-root)/') ? join(root, file.slice('(corpus-root)/'.length)) : join(data, file)
    const { document } = await openMessage(readFileSync(path), messageTechnologies, { keys, now, revocation })
    checks[file]!(document)
  })
})
