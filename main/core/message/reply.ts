import { SiegelpostError, type Lang } from '../errors/index.ts'
import { headerValue, headerValues, type MimePart } from '../mime/parse.ts'
import type { Reading } from '../reading/open-for-reading.ts'
import { addressesOf } from './addresses.ts'
import { quotedUnitOf, type QuotedUnit } from './quoted-unit.ts'

/**
 * Reply, reply all and forward, built from the same opened message the read view and `open` show
 * (CLI.md "replies"; UI.md §2.4). What is quoted is only the one protected unit (quoted-unit.ts).
 * Protection at least as strong as the original's: the quote (and a forward's content) of an
 * encrypted original goes only into end-to-end encrypted copies; a recipient without end-to-end
 * encryption gets a note instead of the quote (reply) or is refused (forward: the content is the mail).
 */
export type ReplyKind = 'reply' | 'reply-all' | 'forward'

/** What the per-copy compose needs of a reply or forward (split-compose.ts applies it to each copy). */
export interface ReplyContent {
  kind: 'reply' | 'forward'
  /** The quote (reply) or the forwarded message's text block (forward), already formatted. */
  quote: string
  /** Instead of the quote, for a copy without end-to-end encryption of a reply to an encrypted mail. */
  note: string
  /** The original was encrypted: its quote and subject go into end-to-end encrypted copies only. */
  isEndToEndOnly: boolean
  /** The subject for copies without end-to-end encryption when isEndToEndOnly (the original's stays inside). */
  subjectWithoutEndToEnd: string
}

export interface ReplyDraft {
  to: string[]
  cc: string[]
  subject: string
  inReplyTo: string | null
  references: string[]
  content: ReplyContent
  /** The original's Reply-To, and whether it names other addresses than From (shown, confirmed before use). */
  replyTo: { addresses: string[]; differsFromFrom: boolean; isUsed: boolean }
  /** Indices into the open result's attachments a forward carries (the attachments of the quoted unit). */
  attachments: number[]
  /** An HTML part hid text in a way that cannot be followed, so it is not quoted. */
  isHtmlLeftOut: boolean
}

export interface ReplyRequest {
  kind: ReplyKind
  /** The sender of the reply (the account's address). */
  from: string
  /** Addresses that are the user's own (never replied to in reply all). */
  ownAddresses: readonly string[]
  /** Reply to the Reply-To addresses instead of From (the user confirmed them). */
  toReplyTo: boolean
  /** Forward only: the new recipients. */
  forwardTo?: readonly string[]
  lang: Lang
}

const replyPrefixes = /^\s*((re|aw|antw|sv|r)\s*(\[\d+\])?\s*:\s*)+/i
const forwardPrefixes = /^\s*((fwd?|wg|wtr|tr)\s*(\[\d+\])?\s*:\s*)+/i

/** "AW: x" / "Re: x", "WG: x" / "Fwd: x", without stacking a prefix of the same kind. */
export function prefixedSubject(subject: string, kind: 'reply' | 'forward', lang: Lang): string {
  const prefix = kind === 'reply' ? (lang === 'de' ? 'AW:' : 'Re:') : lang === 'de' ? 'WG:' : 'Fwd:'
  const bare = subject.replace(kind === 'reply' ? replyPrefixes : forwardPrefixes, '').trim()
  return bare ? `${prefix} ${bare}` : prefix
}

const messageIdPattern = /<[^<>\s@]+@[^<>\s@]+>/g
/** References keep the thread's first id and the latest ones (RFC 5322 §3.6.4; long threads are trimmed). */
const referencesMax = 20

function threadOf(root: Pick<MimePart, 'headers'>): { inReplyTo: string | null; references: string[] } {
  const messageId = (headerValue(root, 'message-id') ?? '').match(messageIdPattern)?.[0] ?? null
  const earlier =
    headerValues(root, 'references').join(' ').match(messageIdPattern) ??
    headerValue(root, 'in-reply-to')?.match(messageIdPattern)?.slice(0, 1) ??
    []
  const all = [...earlier, ...(messageId ? [messageId] : [])]
  const references = all.length > referencesMax ? [all[0]!, ...all.slice(all.length - referencesMax + 1)] : all
  return { inReplyTo: messageId, references }
}

/** The original's date as a mail program writes it in an attribution line (UTC, in the reply's language). */
function day(iso: string, lang: Lang): string {
  const time = Date.parse(iso)
  if (!iso || Number.isNaN(time)) return iso
  const [date, clock] = new Date(time).toISOString().split('T') as [string, string]
  const [year, month, dayOfMonth] = date.split('-')
  return `${lang === 'de' ? `${dayOfMonth}.${month}.${year}` : date} ${clock.slice(0, 5)} UTC`
}

function quoteBlock(unit: QuotedUnit, reading: Reading, lang: Lang): string {
  const { from, date } = reading.document.headers
  const when = day(date, lang)
  const head =
    lang === 'de'
      ? `Am ${when || 'unbekannten Datum'} schrieb ${from || 'unbekannter Absender'}:`
      : `On ${when || 'an unknown date'}, ${from || 'an unknown sender'} wrote:`
  if (unit.text === '') return head
  return `${head}\n${unit.text
    .split('\n')
    .map((line) => (line === '' ? '>' : `> ${line}`))
    .join('\n')}`
}

function forwardBlock(unit: QuotedUnit, reading: Reading, lang: Lang): string {
  const { from, to, cc, subject, date } = reading.document.headers
  const de = lang === 'de'
  const lines = [
    de ? '-------- Weitergeleitete Nachricht --------' : '-------- Forwarded Message --------',
    `${de ? 'Betreff' : 'Subject'}: ${subject}`,
    `${de ? 'Datum' : 'Date'}: ${day(date, lang)}`,
    `${de ? 'Von' : 'From'}: ${from}`,
    `${de ? 'An' : 'To'}: ${to.join(', ')}`,
    ...((cc ?? []).length ? [`${de ? 'Kopie (CC)' : 'Cc'}: ${(cc ?? []).join(', ')}`] : []),
  ]
  return `${lines.join('\n')}\n\n${unit.text}`
}

function noteOf(kind: 'reply' | 'forward', lang: Lang): string {
  if (kind === 'forward')
    return lang === 'de'
      ? '[Der Inhalt der weitergeleiteten Nachricht wird nur Ende-zu-Ende-verschlüsselt übermittelt.]'
      : '[The content of the forwarded message is sent end-to-end encrypted only.]'
  return lang === 'de'
    ? '[Der zitierte Text wurde weggelassen: Die ursprüngliche Nachricht war verschlüsselt, ' +
        'und diese Antwort erreicht Sie nicht Ende-zu-Ende-verschlüsselt.]'
    : '[The quoted text was left out: the original message was encrypted, ' +
        'and this reply does not reach you end-to-end encrypted.]'
}

const unique = (list: readonly string[]) => [...new Set(list)]

/** Builds a reply, reply all or forward from an opened message and its raw header (for the thread ids). */
export function buildReply(reading: Reading, root: Pick<MimePart, 'headers'>, request: ReplyRequest): ReplyDraft {
  const { headers } = reading.document
  const own = new Set([request.from, ...request.ownAddresses].map((a) => a.toLowerCase()))
  const from = addressesOf(headers.from)
  const replyTo = (headers.replyTo ?? []).map((a) => a.toLowerCase())
  const differsFromFrom = replyTo.length > 0 && replyTo.some((address) => !from.includes(address))
  const unit = quotedUnitOf(reading)
  const kind = request.kind === 'forward' ? 'forward' : 'reply'
  let to: string[]
  let cc: string[] = []
  if (kind === 'forward') {
    to = unique((request.forwardTo ?? []).map((a) => a.trim().toLowerCase()))
    // The app's forward opens a draft whose recipients the user writes; the CLI must name them.
    if (to.length === 0 && request.forwardTo === undefined)
      throw new SiegelpostError('USAGE_MISSING_OPTION', { command: 'forward', option: '--to ADDR' })
  } else {
    if (request.toReplyTo && replyTo.length === 0) throw new SiegelpostError('REPLY_NO_REPLY_TO')
    const first = request.toReplyTo ? replyTo : from
    to = unique(first.filter((a) => !own.has(a)))
    if (request.kind === 'reply-all') {
      const others = [...headers.to, ...(headers.cc ?? [])].map((a) => a.toLowerCase())
      cc = unique(others.filter((a) => !own.has(a) && !to.includes(a)))
    }
    // Replying to one's own mail goes to its recipients.
    if (to.length === 0 && cc.length > 0) to = cc.splice(0, cc.length)
    if (to.length === 0) throw new SiegelpostError('REPLY_NO_RECIPIENT')
  }
  const thread = kind === 'reply' ? threadOf(root) : { inReplyTo: null, references: [] }
  const subject = prefixedSubject(headers.subject, kind, request.lang)
  return {
    to,
    cc,
    subject,
    ...thread,
    content: {
      kind,
      quote: kind === 'forward' ? forwardBlock(unit, reading, request.lang) : quoteBlock(unit, reading, request.lang),
      note: noteOf(kind, request.lang),
      isEndToEndOnly: unit.isEncrypted,
      subjectWithoutEndToEnd: prefixedSubject(
        request.lang === 'de' ? 'Verschlüsselte Nachricht' : 'Encrypted message',
        kind,
        request.lang,
      ),
    },
    replyTo: { addresses: replyTo, differsFromFrom, isUsed: request.toReplyTo },
    attachments: kind === 'forward' ? unit.attachments : [],
    isHtmlLeftOut: unit.isHtmlLeftOut,
  }
}

/** The body of one copy: the user's text, then the quote where the copy's protection allows it, else the note. */
export function bodyWithQuote(body: string, content: ReplyContent, isEndToEnd: boolean): string {
  const own = body.replace(/\s+$/, '')
  const block = !content.isEndToEndOnly || isEndToEnd ? content.quote : content.note
  return own ? `${own}\n\n${block}\n` : `${block}\n`
}

/**
 * A forward of an encrypted original goes to end-to-end recipients only (its content is the mail; a
 * copy without it would be empty): the recipients that would get it otherwise, or none.
 */
export function recipientsWithoutEndToEnd(
  plan: { recipients: readonly { address: string; protection: string }[] },
  content: ReplyContent | undefined,
): string[] {
  if (!content?.isEndToEndOnly || content.kind !== 'forward') return []
  return plan.recipients
    .filter((r) => r.protection !== 'smime' && r.protection !== 'openpgp' && r.protection !== 'blocked')
    .map((r) => r.address)
}
