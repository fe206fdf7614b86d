import { describe, expect, it } from 'vitest'
import { sampleKey } from '../../../test/helpers/sample-key.ts'
import { keyFileName, recoverySheetFileName } from './key-file-names.ts'

describe('the names of the files the key manager saves', () => {
  it.each([
    ['openpgp', 'backup', 'sicherung-juergen-muessig-soehne-01234567.asc'],
    ['smime', 'backup', 'sicherung-juergen-muessig-soehne-01234567.p12'],
    ['openpgp', 'public', 'oeffentlicher-schluessel-juergen-muessig-soehne-01234567.asc'],
    ['smime', 'public', 'oeffentlicher-schluessel-juergen-muessig-soehne-01234567.pem'],
    ['smime', 'csr', 'zertifikatsantrag-juergen-muessig-soehne-01234567.csr'],
    ['openpgp', 'revocation', 'widerruf-juergen-muessig-soehne-01234567.asc'],
  ] as const)("names the %s key's %s file %s", (technology, kind, expected) => {
    expect(keyFileName(sampleKey({ name: 'Jürgen Müßig & Söhne', technology }), kind)).toBe(expected)
  })

  it('falls back to "schluessel" when the name has no letters or digits', () => {
    expect(keyFileName(sampleKey({ name: '…' }), 'backup')).toBe('sicherung-schluessel-01234567.asc')
  })

  it('names the recovery sheet after its backup file, in the chosen language', () => {
    const german = recoverySheetFileName('sicherung-anna-01234567.p12', 'de')
    expect(german).toBe('sicherung-anna-01234567-wiederherstellungsbeleg.pdf')
    const english = recoverySheetFileName('sicherung-anna-01234567.asc', 'en')
    expect(english).toBe('sicherung-anna-01234567-recovery-sheet.pdf')
  })
})
