import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { StoredKey } from '../../main/core/keys/stored-key.ts'
import { openMessage, type OpenDocument } from '../../main/core/message/open.ts'
import { messageTechnologies } from '../../main/core/message/technologies.ts'
import { httpRevocationFetchers } from '../../main/core/smime/revocation-http.ts'
import { smimeTechnology, trustAnchorEntries } from '../../main/core/smime/smime-keys.ts'
import { skipUnless } from '../helpers/needs.ts'
import { repoRoot } from '../helpers/run-cli.ts'
import { readThunderbirdSmimeRows, smimeMessageBytes, type ThunderbirdSmimeRow } from './thunderbird-smime-rows.ts'

/**
 * Every row of Thunderbird's EXPECTED-RESULTS-mailnews-smime.tsv through the product's `open`
 * (main/core/message/open.ts with the S/MIME technology): .eml rows as they are, the raw CMS
 * rows (.env) wrapped in the minimal application/pkcs7-mime message a mail client would see.
 * Compared: encrypted reported, signed reported, signature good (= `valid`), and the text shown.
 * TestCA is the profile's trust anchor; Alice, Bob, Dave, Fran and Fran-ec are the user's keys.
 */
const root = join(repoRoot, '..', 'shared', 'corpora', 'thunderbird-smime')
const smimeDir = join(root, 'mailnews', 'test', 'data', 'smime')
const hasCorpus = existsSync(join(root, 'EXPECTED-RESULTS-mailnews-smime.tsv'))
// The corpus certificates were issued in January 2026 and expire on 2031-01-26.
const now = new Date('2026-06-01T00:00:00Z')
const expectedText = /This is a test message (from Alice to Bob|to Fran)\./

type Row = ThunderbirdSmimeRow

const rows: Row[] = hasCorpus ? readThunderbirdSmimeRows(root) : []

/**
 * Rows where Siegelpost deliberately differs from Thunderbird, each with the reason; the test
 * asserts Siegelpost's own (CLI.md) verdict for them instead, so a change either way is noticed.
 */
const deviations: Record<string, { expect: Partial<Record<'encrypted' | 'signed' | 'good', boolean>>; why: string }> = {
  'alice.future.dsig.SHA256.multipart.eml': {
    expect: { good: true },
    why: 'Thunderbird marks the signature bad because signingTime and Date differ by six hours; CLI.md judges the certificate at signingTime (valid then) and makes the gap the date-gap warning',
  },
}

/**
 * Nested signatures whose inner entity was stored with bare LFs: the signer signed the canonical
 * CRLF form (RFC 8551 §3.1.1), which Siegelpost checks when the raw bytes fail — as `openssl cms
 * -verify` does without -binary (checked: "Verification successful"; with -binary "content verify
 * error"). Thunderbird does not canonicalize nested entities and reports these 12 rows as bad.
 */
const lfCanonicalNested =
  /^alice\.(env\.dsig\.SHA(256|384|512)\.multipart\.dave\.sig|plain\.dsig\.SHA(256|384|512)\.multipart\.dave\.(sig|dsig)|plain\.sig\.SHA(256|384|512)\.opaque\.dave\.dsig)\.SHA(256|384|512)\.(opaque|multipart)\.eml$/
for (const row of rows) {
  if (lfCanonicalNested.test(row.file)) {
    deviations[row.file] = {
      expect: { good: true },
      why: 'inner signed entity stored with LF line ends; its canonical CRLF form verifies (RFC 8551 §3.1.1, as openssl cms -verify); Thunderbird does not canonicalize nested entities',
    }
  }
}

async function keysFromCorpus(): Promise<StoredKey[]> {
  const keys: StoredKey[] = []
  const p12s = ['Alice.p12', 'Bob.p12', 'Dave.p12']
    .map((f) => join(smimeDir, f))
    .concat(['Fran.p12', 'Fran-ec.p12'].map((f) => join(smimeDir, '..', 'smime-interop', f)))
  for (const file of p12s) {
    for (const key of await smimeTechnology.import(
      { bytes: readFileSync(file), fileName: file.split('/').pop()! },
      { passphrase: new TextEncoder().encode('nss'), now },
    )) {
      if (!keys.some((k) => k.fingerprint === key.fingerprint)) keys.push(key)
    }
  }
  const anchors = trustAnchorEntries(readFileSync(join(smimeDir, 'TestCA.pem')), 'TestCA.pem')
  return [...keys.filter((k) => !anchors.some((a) => a.fingerprint === k.fingerprint)), ...anchors]
}

/** Revocation is checked as `open` does, with the guard explicit: corpus certificates never lead off this machine. */
const revocation = httpRevocationFetchers({ policy: 'loopback-only' })

const results: { file: string; pass: boolean; got: string }[] = []

describe.skipIf(
  skipUnless('Thunderbird S/MIME corpus', hasCorpus, 'put the corpora in ../shared/corpora (see the README)'),
)('Thunderbird S/MIME corpus through open', () => {
  let keys: StoredKey[] = []

  it('reads the 68 rows and imports the corpus keys with TestCA as anchor', async () => {
    expect(rows.length).toBe(68)
    keys = await keysFromCorpus()
    expect(keys.filter((k) => k.hasSecret).length).toBeGreaterThanOrEqual(5)
  })

  it.each(rows.map((row) => [row.file, row] as const))('%s', async (_file, row) => {
    if (keys.length === 0) keys = await keysFromCorpus()
    const { document } = await openMessage(smimeMessageBytes(smimeDir, row.file), messageTechnologies, {
      keys,
      now,
      revocation,
    })
    const got = summarize(document)
    const deviation = deviations[row.file]
    const want = { encrypted: row.encrypted, signed: row.signed, good: row.good, ...deviation?.expect }
    const pass =
      got.encrypted === want.encrypted &&
      (want.signed === null || got.signed === want.signed) &&
      (want.good === null || got.good === want.good) &&
      (!row.checkText || expectedText.test(document.text))
    results.push({
      file: row.file,
      pass,
      got: JSON.stringify({
        ...got,
        reason: document.security.signature.reason || document.security.encryption.reason,
      }),
    })
    expect({ ...got, text: row.checkText ? expectedText.test(document.text) : true }).toEqual({
      encrypted: want.encrypted,
      signed: want.signed ?? got.signed,
      good: want.good ?? got.good,
      text: true,
    })
    if (got.encrypted) expect(document.security.encryption.technology).toBe('smime')
    // the revocation check ran and, finding nothing reachable, stayed soft (CLI.md)
    if (document.security.signature.state === 'valid')
      expect(document.security.signature.code).toBe('SIGNATURE_VALID_REVOCATION_UNKNOWN')
    const isGap = row.file === 'alice.future.dsig.SHA256.multipart.eml'
    expect(document.security.warnings.some((w) => w.code === 'date-gap')).toBe(isGap)
  })

  afterAll(() => {
    const passed = results.filter((r) => r.pass).length
    console.log(
      `Thunderbird S/MIME corpus through open: ${passed}/${results.length} rows as expected (${Object.keys(deviations).length} documented deviation(s))`,
    )
  })
})

function summarize(document: OpenDocument) {
  return {
    encrypted: document.security.encryption.state === 'encrypted',
    signed: document.security.signature.state !== 'none',
    good: document.security.signature.state === 'valid',
  }
}
