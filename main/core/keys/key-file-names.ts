import type { StoredKey } from './stored-key.ts'

/** The files the key manager offers to save, each named after who and which key. */
export type KeyFileKind = 'backup' | 'public' | 'csr' | 'revocation'

const prefixes: Record<KeyFileKind, string> = {
  backup: 'sicherung',
  public: 'oeffentlicher-schluessel',
  csr: 'zertifikatsantrag',
  revocation: 'widerruf',
}

/** The key's name as a file-name part: German umlauts spelled out, other accents dropped, a-z0-9 and dashes. */
function slugOf(name: string): string {
  const german: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss', Ä: 'Ae', Ö: 'Oe', Ü: 'Ue' }
  const slug = name
    .replace(/[äöüßÄÖÜ]/g, (c) => german[c]!)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40)
  return slug || 'schluessel'
}

/** The extension: a backup is a PKCS#12 file for S/MIME, a public certificate PEM text; OpenPGP is armored. */
function extensionOf(key: Pick<StoredKey, 'technology'>, kind: KeyFileKind): string {
  if (kind === 'csr') return 'csr'
  if (key.technology === 'openpgp' || kind === 'revocation') return 'asc'
  return kind === 'public' ? 'pem' : 'p12'
}

/** `sicherung-anna-beraterin-0123ABCD.asc`: kind, who and which key, readable on any file system. */
export function keyFileName(key: Pick<StoredKey, 'name' | 'fingerprint' | 'technology'>, kind: KeyFileKind): string {
  return `${prefixes[kind]}-${slugOf(key.name)}-${key.fingerprint.slice(-8)}.${extensionOf(key, kind)}`
}

/** The printable recovery sheet that goes with a backup file: `sicherung-…-wiederherstellungsbeleg.pdf`. */
export function recoverySheetFileName(backupFileName: string, lang: 'de' | 'en'): string {
  return backupFileName.replace(/\.[a-z0-9]+$/, lang === 'de' ? '-wiederherstellungsbeleg.pdf' : '-recovery-sheet.pdf')
}
