import { securityBarWords } from './security-bar-words.ts'

/**
 * The wording of the message record (the PDF for the files and the printout), German first. The
 * state titles, qualifiers and warnings are the security bar's own (UI.md §2.2, the read view's
 * words): the record says in writing what the window showed. Main owns this text, so a window
 * cannot put a better verdict into the record than the one main decided.
 */
const de = {
  title: 'Nachrichtenprotokoll',
  intro:
    'Abbild einer empfangenen E-Mail, wie Siegelpost sie angezeigt hat, mit dem Ergebnis der Sicherheitsprüfung und dem Transportweg.',
  'section.headers': 'Kopfzeilen',
  'section.security': 'Sicherheitsprüfung',
  'section.trail': 'Transportweg',
  'section.content': 'Inhalt',
  'section.attachments': 'Anhänge',
  'section.original': 'Originalnachricht',
  from: 'Von',
  to: 'An',
  cc: 'Kopie (CC)',
  replyTo: 'Antwort an',
  date: 'Datum',
  subject: 'Betreff',
  messageId: 'Message-ID',
  noSubject: '(kein Betreff)',
  subjectProtected: '(Betreff verschlüsselt übertragen)',
  verdict: 'Ergebnis',
  confidentiality: 'Vertraulichkeit',
  authenticity: 'Absender',
  method: 'Verfahren',
  signedBy: 'Signiert von',
  fingerprint: 'Fingerabdruck',
  signedAt: 'Signiert am',
  warnings: 'Hinweise',
  noWarnings: 'keine',
  checkedAt: 'Geprüft am',
  checkedWith: 'Geprüft mit',
  'conf.encrypted': 'Ende-zu-Ende-verschlüsselt',
  'conf.not-encrypted': 'Nicht Ende-zu-Ende-verschlüsselt',
  'conf.failed': 'Verschlüsselt, konnte nicht entschlüsselt werden',
  'auth.verified': 'Gültige Signatur, Fingerabdruck des Absenders abgeglichen',
  'auth.unverified': 'Gültige Signatur, Absender noch nicht abgeglichen',
  'auth.unknown-key': 'Signatur nicht prüfbar: Schlüssel des Absenders fehlt',
  'auth.not-signed': 'Nicht signiert – Absender nicht bestätigt',
  'auth.mismatch': 'Absenderadresse passt nicht zur Signatur',
  'auth.invalid': 'Signatur ungültig – Inhalt wurde möglicherweise verändert',
  'auth.not-valid': 'Signatur nicht gültig: {why}',
  ...securityBarWords.de,
  'trail.intro': 'Älteste Station zuerst. Transportverschlüsselung (TLS) schützt nur die einzelne Strecke.',
  'trail.none': 'Die Nachricht enthält keine Angaben zum Transportweg.',
  'trail.hop': 'Station {n}',
  'trail.tls': 'verschlüsselt ({version})',
  'trail.tlsUnknownVersion': 'verschlüsselt (TLS)',
  'trail.plain': 'OHNE Verschlüsselung',
  'trail.unknown': 'Verschlüsselung unbekannt',
  'trail.unknownHost': 'unbekannt',
  'trail.fromTo': 'von {from} an {by}',
  'trail.you': 'Ihr Postfach',
  'content.unprotected': 'Ungeschützter Teil – nicht verschlüsselt oder signiert, könnte verändert oder gefälscht sein',
  'content.html': 'Text aus dem HTML-Teil (ohne Formatierung, Bilder und Links)',
  'content.notOpened': '[Verschlüsselter Teil – zu Ihrem Schutz nicht geöffnet]',
  'content.attachment': '[Anhang {n}: {name}]',
  'content.truncated': '[Dieser Teil war sehr lang und ist hier gekürzt.]',
  'content.hidden': 'Der Inhalt wurde nicht angezeigt (siehe Sicherheitsprüfung).',
  'content.empty': 'Die Nachricht hat keinen Text.',
  'att.none': 'keine',
  'att.size': 'Größe',
  'att.type': 'Art',
  'att.protected': 'verschlüsselt übertragen',
  'att.unprotected': 'NICHT verschlüsselt übertragen',
  'original.file': 'Datei',
  'original.size': 'Größe',
  'original.sha256': 'SHA-256',
  'original.note':
    'Die Originalnachricht (.eml, weiterhin verschlüsselt) ist das maßgebliche Dokument; dieses Protokoll gibt wieder, was angezeigt wurde.',
  replaced:
    'Zeichen, die die Schrift dieses Protokolls nicht darstellen kann, sind vereinfacht oder als „?“ wiedergegeben; maßgeblich ist die Originalnachricht.',
  page: 'Seite {n} von {total}',
}

type Words = typeof de
export type RecordWord = keyof Words

const en: Record<RecordWord, string> = {
  title: 'Message record',
  intro:
    'A copy of a received e-mail as Siegelpost showed it, with the result of the security check and the transport route.',
  'section.headers': 'Headers',
  'section.security': 'Security check',
  'section.trail': 'Transport route',
  'section.content': 'Content',
  'section.attachments': 'Attachments',
  'section.original': 'Original message',
  from: 'From',
  to: 'To',
  cc: 'Copy (CC)',
  replyTo: 'Reply to',
  date: 'Date',
  subject: 'Subject',
  messageId: 'Message-ID',
  noSubject: '(no subject)',
  subjectProtected: '(subject sent encrypted)',
  verdict: 'Result',
  confidentiality: 'Confidentiality',
  authenticity: 'Sender',
  method: 'Method',
  signedBy: 'Signed by',
  fingerprint: 'Fingerprint',
  signedAt: 'Signed on',
  warnings: 'Warnings',
  noWarnings: 'none',
  checkedAt: 'Checked on',
  checkedWith: 'Checked with',
  'conf.encrypted': 'End-to-end encrypted',
  'conf.not-encrypted': 'Not end-to-end encrypted',
  'conf.failed': 'Encrypted, could not be decrypted',
  'auth.verified': 'Valid signature, sender fingerprint compared',
  'auth.unverified': 'Valid signature, sender not yet verified',
  'auth.unknown-key': 'Signature cannot be checked: sender key missing',
  'auth.not-signed': 'Not signed – sender not confirmed',
  'auth.mismatch': 'Sender address does not match the signature',
  'auth.invalid': 'Signature invalid – content may have been altered',
  'auth.not-valid': 'Signature not valid: {why}',
  ...securityBarWords.en,
  'trail.intro': 'Oldest step first. Transport encryption (TLS) protects each step only.',
  'trail.none': 'The message has no information about its route.',
  'trail.hop': 'Step {n}',
  'trail.tls': 'encrypted ({version})',
  'trail.tlsUnknownVersion': 'encrypted (TLS)',
  'trail.plain': 'NOT encrypted',
  'trail.unknown': 'encryption unknown',
  'trail.unknownHost': 'unknown',
  'trail.fromTo': 'from {from} to {by}',
  'trail.you': 'your mailbox',
  'content.unprotected': 'Unprotected part – neither encrypted nor signed, could have been changed or forged',
  'content.html': 'Text of the HTML part (without formatting, images and links)',
  'content.notOpened': '[Encrypted part – not opened for your protection]',
  'content.attachment': '[Attachment {n}: {name}]',
  'content.truncated': '[This part was very long and is shortened here.]',
  'content.hidden': 'The content was not shown (see the security check).',
  'content.empty': 'The message has no text.',
  'att.none': 'none',
  'att.size': 'Size',
  'att.type': 'Type',
  'att.protected': 'sent encrypted',
  'att.unprotected': 'NOT sent encrypted',
  'original.file': 'File',
  'original.size': 'Size',
  'original.sha256': 'SHA-256',
  'original.note':
    'The original message (.eml, still encrypted) is the authoritative document; this record shows what was displayed.',
  replaced:
    'Characters the font of this record cannot show are simplified or written as “?”; the original message is authoritative.',
  page: 'Page {n} of {total}',
}

export const recordWords = { de, en } as const
export type RecordLang = keyof typeof recordWords

/** The record's text of `key` in `lang`, `{name}` placeholders filled from params. */
export function recordWord(lang: RecordLang, key: RecordWord, params: Record<string, string | number> = {}): string {
  return recordWords[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  )
}

/** Whether the record has its own words for a warning code (else the verdict's English text is shown). */
export function isKnownWarning(code: string): boolean {
  return `warning.${code}` in de
}
