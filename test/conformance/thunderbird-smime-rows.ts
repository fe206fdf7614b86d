import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** One row of the Thunderbird corpus's EXPECTED-RESULTS-mailnews-smime.tsv; null where the row leaves it blank. */
export interface ThunderbirdSmimeRow {
  file: string
  encrypted: boolean
  signed: boolean | null
  good: boolean | null
  checkText: boolean
}

export function readThunderbirdSmimeRows(root: string): ThunderbirdSmimeRow[] {
  return readFileSync(join(root, 'EXPECTED-RESULTS-mailnews-smime.tsv'), 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('#') && !line.startsWith('file\t'))
    .map((line) => line.split('\t'))
    .map(([file, encrypted, signed, good, , checkText]) => ({
      file: file!,
      encrypted: encrypted === 'true',
      signed: signed === '' ? null : signed === 'true',
      good: good === '' ? null : good === 'true',
      checkText: checkText === 'yes',
    }))
}
