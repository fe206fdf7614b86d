import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StoredKey } from '../../main/core/keys/stored-key.ts'
import { skipUnless } from '../helpers/needs.ts'
import { corpusKeys, hasCorpus, judge, keysForRow, openCorpusMail, readRows, type Row } from './thunderbird-openpgp.ts'

/**
 * Rows where Siegelpost deliberately differs from Thunderbird's UI, with the reason. Each is
 * still checked: our outcome must be the one named here — `valid` only where CLI.md's own rule
 * (validity at the signature's time) says so, never for the spoofed part.
 */
const deliberateDifferences: Record<string, { ours: string; why: string }> = {
  'signed-mismatch-email-date.eml': {
    ours: 'valid',
    why: 'CLI.md: validity is judged at the signature time, a large gap to the Date header is the date-gap warning (Thunderbird hides the signature)',
  },
  'sigspoof-git-commit.eml': {
    ours: 'none',
    why: 'a cleartext-signed git commit posing as the encrypted part is a failed decryption for us: nothing is shown and nothing is called signed (Thunderbird shows it as a signature mismatch)',
  },
}

const rows = hasCorpus ? readRows() : []
const results: { row: Row; failures: string[] }[] = []

describe.skipIf(
  skipUnless('Thunderbird OpenPGP corpus', hasCorpus, 'put the corpus at ../shared/corpora/thunderbird-openpgp'),
)('Thunderbird OpenPGP corpus (EXPECTED-RESULTS-openpgp.tsv)', () => {
  let keys: StoredKey[]
  let close: () => Promise<void>
  beforeAll(async () => ({ keys, close } = await corpusKeys()))
  afterAll(async () => {
    await close?.()
    const passed = results.filter((r) => r.failures.length === 0).length
    console.log(
      `thunderbird-openpgp conformance: ${passed} of ${rows.length} rows as expected; ${Object.keys(deliberateDifferences).length} deliberate differences`,
    )
  })

  it.each(rows.map((row) => [`${row.line} ${row.testName} ${row.eml}`, row] as const))('%s', async (_name, row) => {
    const document = await openCorpusMail(row.eml, await keysForRow(row.eml, keys))
    const failures = judge(row, document)
    results.push({ row, failures })
    const difference = deliberateDifferences[row.eml]
    if (difference && failures.length > 0) {
      expect(document.security.signature.state, difference.why).toBe(difference.ours)
      return
    }
    expect(failures).toEqual([])
  })
})

describe.skipIf(
  skipUnless('Thunderbird OpenPGP corpus', hasCorpus, 'put the corpus at ../shared/corpora/thunderbird-openpgp'),
)('keys carried by corpus mails', () => {
  it('offers Autocrypt and attached keys without importing them; keys import FILE.eml takes them on request', async () => {
    const { keys, close } = await corpusKeys()
    try {
      const autocrypt = await openCorpusMail('unsigned-unencrypted-0x3099ff1238852b9f-autocrypt.eml', keys)
      expect(autocrypt.offeredKeys).toEqual([
        expect.objectContaining({
          source: 'autocrypt',
          fingerprint: expect.stringMatching(/3099FF1238852B9F$/),
          isKnown: false,
        }),
      ])
      const attached = await openCorpusMail('unrelated-and-fake-keys-attached.eml', keys)
      expect(attached.offeredKeys.length).toBeGreaterThan(0)
      expect(attached.offeredKeys.every((k) => k.source === 'attachment')).toBe(true)
      const { importKeyFile } = await import('../../main/core/keys/key-store.ts')
      const { keyTechnologies } = await import('../../main/core/keys/technologies.ts')
      const { tempVault } = await import('../helpers/openpgp-fixtures.ts')
      const { readFileSync } = await import('node:fs')
      const { join } = await import('node:path')
      const { corpusDir } = await import('./thunderbird-openpgp.ts')
      const target = await tempVault()
      try {
        const path = join(
          corpusDir,
          'mail/test/browser/openpgp/data/eml/unsigned-unencrypted-0x3099ff1238852b9f-autocrypt.eml',
        )
        const imported = await importKeyFile(
          target.vault,
          keyTechnologies,
          { bytes: readFileSync(path), fileName: 'mail.eml', path },
          { passphrase: null, now: new Date() },
        )
        expect(imported.map((k) => k.fingerprint)).toEqual([autocrypt.offeredKeys[0]!.fingerprint])
        expect(imported[0]).toMatchObject({ hasSecret: false, acceptance: 'unverified' })
      } finally {
        await target.close()
      }
    } finally {
      await close()
    }
  })
})
