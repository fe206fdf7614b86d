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

/** A corpus file as a message: the bare CMS blobs of smime-interop (*.env) get a header around them. */
export function smimeMessageBytes(smimeDir: string, file: string): Uint8Array {
  const bytes = readFileSync(join(smimeDir, file))
  // The OpenSSL .env files of smime-interop are complete messages already; a bare CMS blob is wrapped.
  if (!file.endsWith('.env') || /^[A-Za-z-]+:/.test(bytes.subarray(0, 40).toString('latin1'))) return bytes
  const base64 = bytes.toString('base64').replace(/(.{76})/g, '$1\r\n')
  return Buffer.from(
    `From: alice@example.com\r\nTo: fran@example.com\r\nSubject: ${file}\r\nMIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64}\r\n`,
  )
}
