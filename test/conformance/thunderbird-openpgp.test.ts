import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StoredKey } from '../../main/core/keys/stored-key.ts'
import { skipUnless } from '../helpers/needs.ts'
import { corpusKeys, hasCorpus, judge, keysForRow, openCorpusMail, readRows, type Row } from './thunderbird-openpgp.ts'

/**
 * Rows where Siegelpost deliberately differs from Thunderbird's UI, with the reason. Each is
 * still checked: our outcome must be the one named here (and never "valid").
 */
const deliberateDifferences: Record<string, { ours: string; why: string }> = {
  'signed-mismatch-email-date.eml': {
    ours: 'valid',
    why: 'CLI.md: validity is judged at the signature time, a large gap to the Date header is a warning in reason (Thunderbird hides the signature)',
  },
  'sigspoof-git-commit.eml': {
    ours: 'none',
    why: 'a cleartext-signed git commit posing as the encrypted part is a failed decryption for us: nothing is shown and nothing is called signed (Thunderbird shows it as a signature mismatch)',
  },
}

const rows = hasCorpus ? readRows() : []
const results: { row: Row; failures: string[] }[] = []

describe.skipIf(skipUnless('Thunderbird OpenPGP corpus', hasCorpus, 'put the corpus at ../shared/corpora/thunderbird-openpgp'))('Thunderbird OpenPGP corpus (EXPECTED-RESULTS-openpgp.tsv)', () => {
  let keys: StoredKey[]
  let close: () => Promise<void>
  beforeAll(async () => ({ keys, close } = await corpusKeys()))
  afterAll(async () => {
    await close?.()
    const passed = results.filter((r) => r.failures.length === 0).length
    console.log(`thunderbird-openpgp conformance: ${passed} of ${rows.length} rows as expected; ${Object.keys(deliberateDifferences).length} deliberate differences`)
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
