import addressparser from 'nodemailer/lib/addressparser'
import { SiegelpostError } from '../errors/index.ts'

/**
 * The few top-level headers sending needs (envelope, Outbox display, whether the message is end-to-end
 * encrypted). The bytes themselves are never changed: a signed message must arrive byte for byte.
 */
export interface MessageHeaders {
  from: string
  recipients: string[]
  subject: string
  messageId: string
  isEndToEnd: boolean
}

interface RawHeaderField {
  /** The field as written, folded lines and its line end included (latin1: one char per byte). */
  text: string
  /** Where it lies in the message bytes. */
  start: number
  end: number
}

/**
 * The top-level header fields (the first 256 KiB at most) and where the header block ends: just
 * after the line end of its last field, so the empty line and the body are never touched. A field
 * begins at every line start that is not a folded continuation (RFC 5322 §2.2.3).
 */
function scanHeaderFields(raw: Buffer): { fields: RawHeaderField[]; headerEnd: number } {
  return scanHeaderText(raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1'))
}

/** scanHeaderFields of the message's first bytes as latin1 text. */
function scanHeaderText(text: string): { fields: RawHeaderField[]; headerEnd: number } {
  // A message may start with the empty line (no header fields at all): its body is never read as headers.
  const separator = /(?:^|\r?\n)(\r?\n)/.exec(text)
  const headerEnd = separator ? separator.index + separator[0].length - separator[1]!.length : text.length
  const starts = [0]
  for (const match of text.slice(0, headerEnd).matchAll(/\n(?![ \t])/g)) starts.push(match.index + 1)
  const fields = starts.map((start, i) => {
    const end = i + 1 < starts.length ? starts[i + 1]! : headerEnd
    return { text: text.slice(start, end), start, end }
  })
  return { fields, headerEnd }
}

/** A field unfolded (RFC 5322 §2.2.3) into its lower-cased name and value; null without a name. */
function readField(field: RawHeaderField): { name: string; value: string } | null {
  const line = field.text.replace(/\r?\n[ \t]/g, ' ').replace(/\r?\n$/, '')
  const colon = line.indexOf(':')
  if (colon <= 0) return null
  return { name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() }
}

/** Header block up to the first empty line, unfolded (RFC 5322 §2.2.3); names lower-cased. */
export function readHeaderFields(raw: Buffer): Map<string, string[]> {
  return readHeaderFieldsOfText(raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1'))
}

/** readHeaderFields of a message's first bytes (at most 256 KiB) already read as latin1 text. */
export function readHeaderFieldsOfText(text: string): Map<string, string[]> {
  const fields = new Map<string, string[]>()
  for (const field of scanHeaderText(text).fields) {
    const read = readField(field)
    if (read) fields.set(read.name, [...(fields.get(read.name) ?? []), read.value])
  }
  return fields
}

const isAddress = (value: string) => /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/.test(value)

function addressesOf(values: string[] | undefined): string[] {
  const out: string[] = []
  for (const value of values ?? []) {
    for (const entry of addressparser(value, { flatten: true })) {
      if ('address' in entry && entry.address && isAddress(entry.address)) out.push(entry.address)
    }
  }
  return out
}

/** multipart/encrypted (PGP/MIME, RFC 3156) or application/pkcs7-mime enveloped (S/MIME, RFC 8551) at the top. */
export function isEndToEndEncrypted(contentType: string | undefined): boolean {
  if (!contentType) return false
  const type = contentType.toLowerCase()
  if (/^\s*multipart\/encrypted\b/.test(type) && /protocol\s*=\s*"?application\/pgp-encrypted/.test(type)) return true
  if (/^\s*application\/(x-)?pkcs7-mime\b/.test(type))
    return /smime-type\s*=\s*"?(enveloped-data|authenveloped-data)/.test(type)
  return false
}

/**
 * The bytes the recipients' servers get: the top-level header block without Bcc (and Resent-Bcc)
 * fields, which would tell every recipient who else got the mail in secret. Only those header lines
 * go — everything else, and the signed or encrypted body, stays byte for byte (no signature covers the
 * top-level Bcc). The envelope still carries the Bcc recipients; the Sent copy keeps the field.
 */
export function withoutBcc(raw: Buffer): Buffer {
  const { fields, headerEnd } = scanHeaderFields(raw)
  // The same reading of a field name as readHeaderFields (a stray CR or blank before the name included):
  // a field that the envelope reads as Bcc never goes out.
  const isBcc = (field: RawHeaderField) => ['bcc', 'resent-bcc'].includes(readField(field)?.name ?? '')
  if (!fields.some(isBcc)) return raw
  return Buffer.concat([
    ...fields.filter((field) => !isBcc(field)).map((field) => raw.subarray(field.start, field.end)),
    raw.subarray(headerEnd),
  ])
}

export function readMessageHeaders(raw: Buffer, path: string): MessageHeaders {
  const fields = readHeaderFields(raw)
  const from = addressesOf(fields.get('from'))[0]
  if (!from) throw new SiegelpostError('SEND_NO_SENDER', { path })
  const recipients = [
    ...new Set(
      [...addressesOf(fields.get('to')), ...addressesOf(fields.get('cc')), ...addressesOf(fields.get('bcc'))].map((a) =>
        a.toLowerCase(),
      ),
    ),
  ]
  if (recipients.length === 0) throw new SiegelpostError('SEND_NO_RECIPIENTS', { path })
  return {
    from,
    recipients,
    subject: fields.get('subject')?.[0] ?? '',
    messageId: fields.get('message-id')?.[0] ?? '',
    isEndToEnd: isEndToEndEncrypted(fields.get('content-type')?.[0]),
  }
}
