import addressparser from 'nodemailer/lib/addressparser'
import { limits } from '../limits.ts'
import { decodeHeaderText, eightBitAsUtf8 } from '../mime/parse.ts'
import { readHeaderFieldsOfText } from '../transport/message-headers.ts'

/**
 * What the message list shows of a message, read from its top-level header without decrypting anything.
 * Protection is what the top-level Content-Type says (RFC 3156, RFC 8551): `unknown` where only opening
 * the message can tell (a signature inside an encrypted message, an opaque application/pkcs7-mime).
 */
export interface Protection {
  encryption: 'encrypted' | 'none' | 'unknown'
  signature: 'signed' | 'none' | 'unknown'
}

export interface EnvelopeFields {
  /** The sender as written ("Name <addr>" or "addr"), decoded (RFC 2047). */
  from: string
  /** The sender's address alone, lower-cased ('' when the From field has none). */
  fromAddress: string
  to: string[]
  cc: string[]
  subject: string
  /** ISO 8601 from the Date field, else the server's arrival time, else ''. */
  date: string
  messageId: string
  protection: Protection
  /** `ok`, or `malformed` when the header block could not be read (listed, kept, opened as far as possible). */
  state: 'ok' | 'malformed'
}

/** RFC 2047 words or 8-bit bytes need decoding; plain ASCII (most header fields) is taken as it is. */
const decode = (value: string) => (/=\?|[\u0080-\u00ff]/.test(value) ? decodeHeaderText(value) : value)
/** An address's 8-bit bytes (SMTPUTF8, read as latin1) as UTF-8; encoded words are not decoded in an address. */
const eightBit = (value: string) => (/[\u0080-\u00ff]/.test(value) ? eightBitAsUtf8(value) : value)

const addressChars = String.raw`[^\s<>()\[\]\\,;:@"]+@[^\s<>()\[\]\\,;:@"]+`
const simpleName = String.raw`[\p{L}\p{N}_'-]+(?: [\p{L}\p{N}_'-]+)*`
const simpleAddress = new RegExp(String.raw`^(?:(${simpleName}) ?<(${addressChars})>|(${addressChars}))$`, 'u')

/** One address alone, bare or as `Name <addr>` with a name of plain words: what addressparser would give, without it
 * (most From and To fields; the parser costs more than the rest of the envelope). Anything else goes to addressparser. */
export function parsedAddresses(value: string): { name?: string; address?: string }[] {
  const simple = simpleAddress.exec(value.trim())
  if (simple) return [{ name: simple[1] ?? '', address: simple[2] ?? simple[3] }]
  return addressparser(value, { flatten: true })
}

function displayAddresses(values: string[] | undefined): { shown: string[]; addresses: string[] } {
  const shown: string[] = []
  const addresses: string[] = []
  for (const value of values ?? []) {
    // Parsed as written, and only the display name decoded (RFC 2047 §5: an encoded word is never part of an
    // address): a name encoded to read "Boss <boss@bank.test>," must not become the sender's address.
    for (const entry of parsedAddresses(value)) {
      // An encoded word where an address belongs (a malformed phrase split at its comma) is no address.
      if (!('address' in entry) || !entry.address || entry.address.includes('=?')) continue
      const address = eightBit(entry.address)
      const name = decode(entry.name ?? '').trim()
      shown.push(name && name !== address ? `${name} <${address}>` : address)
      addresses.push(address.toLowerCase())
    }
  }
  return { shown, addresses }
}

export function protectionOf(contentType: string | undefined, bodyStart: string): Protection {
  const type = (contentType ?? 'text/plain').toLowerCase()
  if (/^\s*multipart\/encrypted\b/.test(type)) return { encryption: 'encrypted', signature: 'unknown' }
  if (/^\s*application\/(x-)?pkcs7-mime\b/.test(type)) {
    if (/smime-type\s*=\s*"?(enveloped-data|authenveloped-data)/.test(type))
      return { encryption: 'encrypted', signature: 'unknown' }
    if (/smime-type\s*=\s*"?signed-data/.test(type)) return { encryption: 'none', signature: 'signed' }
    return { encryption: 'unknown', signature: 'unknown' }
  }
  if (/^\s*multipart\/signed\b/.test(type)) return { encryption: 'none', signature: 'signed' }
  if ((/^\s*text\/plain\b/.test(type) || !contentType) && bodyStart.includes('-----BEGIN PGP ')) {
    // Inline OpenPGP: the armor at the start of a text body (RFC 4880 §6.2).
    if (/^\s*-----BEGIN PGP MESSAGE-----/m.test(bodyStart)) return { encryption: 'encrypted', signature: 'unknown' }
    if (/^\s*-----BEGIN PGP SIGNED MESSAGE-----/m.test(bodyStart)) return { encryption: 'none', signature: 'signed' }
  }
  return { encryption: 'none', signature: 'none' }
}

function isoDate(value: string | undefined, fallback: Date | null): string {
  // A trailing comment like "(CET)" is dropped; the search runs only where there is a parenthesis.
  const parsed = value ? new Date(value.includes('(') ? value.replace(/\s*\([^)]*\)\s*$/, '') : value) : null
  if (parsed && !Number.isNaN(parsed.getTime())) return parsed.toISOString()
  return fallback && !Number.isNaN(fallback.getTime()) ? fallback.toISOString() : ''
}

// Control characters (except tab and line feed) become spaces: a subject cannot move the list's cursor.
function clean(text: string): string {
  let out: string | null = null
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    const isControl = (code < 0x20 && code !== 0x09 && code !== 0x0a) || code === 0x7f
    if (isControl && out === null) out = text.slice(0, i)
    if (out !== null) out += isControl ? ' ' : text[i]
  }
  return (out ?? text).trim()
}

const bodyStartChars = 4096

/** Where the first empty line begins, CRLF or bare LF: the first LF followed by LF or CRLF; -1 without one. */
function firstBlankLine(bytes: Buffer): number {
  for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) {
    const next = bytes[at + 1]
    if (next === 0x0a || (next === 0x0d && bytes[at + 2] === 0x0a)) return at
  }
  return -1
}

/** The listing row of a raw message; never throws (a header that cannot be read gives state `malformed`). */
export function envelopeOf(raw: Uint8Array, arrived: Date | null = null): EnvelopeFields {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, limits.mailEnvelopeHeaderBytes))
  try {
    // Only the header block and the body's first 4 KiB are read as text (not the whole first 256 KiB).
    const blank = firstBlankLine(bytes)
    const head = blank === -1 ? bytes : bytes.subarray(0, blank + 3 + bodyStartChars)
    const text = head.toString('latin1')
    const fields = readHeaderFieldsOfText(text)
    const separator = /\r?\n\r?\n/.exec(text)
    const isMalformed = fields.size === 0 || (!separator && bytes.length < raw.byteLength)
    const from = displayAddresses(fields.get('from'))
    const bodyStart = separator
      ? text.slice(separator.index + separator[0].length, separator.index + separator[0].length + bodyStartChars)
      : ''
    return {
      from: clean(from.shown[0] ?? decode(fields.get('from')?.[0] ?? '')),
      fromAddress: from.addresses[0] ?? '',
      to: displayAddresses(fields.get('to')).shown.map(clean),
      cc: displayAddresses(fields.get('cc')).shown.map(clean),
      subject: clean(decode(fields.get('subject')?.[0] ?? '')),
      date: isoDate(fields.get('date')?.[0], arrived),
      messageId: clean(fields.get('message-id')?.[0] ?? ''),
      protection: protectionOf(fields.get('content-type')?.[0], bodyStart),
      state: isMalformed ? 'malformed' : 'ok',
    }
  } catch {
    return {
      from: '',
      fromAddress: '',
      to: [],
      cc: [],
      subject: '',
      date: isoDate(undefined, arrived),
      messageId: '',
      protection: { encryption: 'unknown', signature: 'unknown' },
      state: 'malformed',
    }
  }
}
