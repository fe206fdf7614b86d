import { htmlToText } from '../message/open-content.ts'
import type { DisplayPart } from './open-for-reading.ts'
import { isKnownWarning, recordWord, type RecordLang, type RecordWord } from './record-words.ts'
import type { SecuritySummary } from './security-state.ts'

/**
 * The message record: what the read view showed of one message, in words, as blocks that the PDF
 * writer and the print page lay out alike. Built in main from the reading main holds (never from
 * anything the window sends), so the verdict in the record is main's.
 */
export interface RecordInput {
  headers: {
    from: string
    fromName: string | null
    fromAddresses: string[]
    to: string[]
    cc: string[]
    replyTo: string[]
    subject: string
    isSubjectProtected: boolean
    date: string
    messageId: string | null
  }
  summary: Pick<
    SecuritySummary,
    'state' | 'confidentiality' | 'authenticity' | 'notValidBecause' | 'isContentHidden' | 'isKeyMissing' | 'warnings'
  >
  encryption: { technology: 'openpgp' | 'smime' | null }
  signature: { technology: 'openpgp' | 'smime' | null; signer: string | null }
  signer: {
    name: string
    email: string
    fingerprint: string
    technology: 'openpgp' | 'smime'
    signedAt: string | null
  } | null
  hops: {
    from: string | null
    by: string | null
    with: string | null
    tls: boolean | null
    version: string | null
    date: string | null
  }[]
  parts: DisplayPart[]
  attachments: { filename: string; contentType: string; size: number; sha256: string; encrypted: boolean }[]
  original: { fileName: string; size: number; sha256: string }
  checkedAt: Date
  /** "Siegelpost 0.1.0": who made the check. */
  checkedWith: string
}

export type RecordBlock =
  | { kind: 'heading'; text: string }
  /** Label and value rows; `isNarrow`: short labels (a number), so long values such as digests fit on one line. */
  | { kind: 'fields'; rows: { label: string; value: string; isStrong?: boolean }[]; isNarrow?: boolean }
  | { kind: 'paragraph'; text: string; tone?: 'muted' | 'alert' }
  /** The divider above an unprotected part of a partly protected message. */
  | { kind: 'divider'; text: string }
  /** Text of the message itself. */
  | { kind: 'body'; text: string }

export interface MessageRecord {
  lang: RecordLang
  title: string
  subject: string
  blocks: RecordBlock[]
}

const technologyName = (technology: 'openpgp' | 'smime' | null) =>
  technology === 'smime' ? 'S/MIME' : technology === 'openpgp' ? 'OpenPGP' : ''

/** A date as the user reads it, with its time zone (the record may be read in another one). */
export function recordDate(value: string | null, lang: RecordLang): string {
  if (!value) return ''
  const time = Date.parse(value)
  if (Number.isNaN(time)) return value
  return new Date(time).toLocaleString(lang === 'de' ? 'de-DE' : 'en-GB', {
    dateStyle: 'full',
    timeStyle: 'long',
  })
}

export function recordSize(bytes: number, lang: RecordLang): string {
  const locale = lang === 'de' ? 'de-DE' : 'en-GB'
  const exact = `${bytes.toLocaleString(locale)} Bytes`
  if (bytes < 1024) return exact
  const unit = bytes < 1024 * 1024 ? ['KiB', 1024] : ['MiB', 1024 * 1024]
  const short = (bytes / (unit[1] as number)).toLocaleString(locale, { maximumFractionDigits: 1 })
  return `${short} ${unit[0] as string} (${exact})`
}

/** The security bar's title and qualifier, as the window shows them. */
export function verdictWords(input: RecordInput, lang: RecordLang): { title: string; qualifier: string } {
  const { state, notValidBecause, isKeyMissing } = input.summary
  const w = (key: RecordWord, params?: Record<string, string>) => recordWord(lang, key, params)
  const name = input.signer?.name || input.signature.signer || input.headers.fromAddresses[0] || ''
  const why = notValidBecause ? w(`why.${notValidBecause}`) : ''
  const key: RecordWord =
    state === 'cannot-decrypt' && !isKeyMissing ? 'state.cannot-decrypt-damaged' : `state.${state}`
  const [title = '', qualifier = ''] = w(key, { name, why }).split('|')
  return { title, qualifier }
}

function fromLine(headers: RecordInput['headers']): string {
  // The real address always, beside any display name.
  const addresses = headers.fromAddresses.length ? `<${headers.fromAddresses.join('>, <')}>` : headers.from
  return headers.fromName ? `${headers.fromName} ${addresses}` : addresses
}

function securityBlocks(input: RecordInput, lang: RecordLang): RecordBlock[] {
  const w = (key: RecordWord, params?: Record<string, string | number>) => recordWord(lang, key, params)
  const { summary } = input
  const verdict = verdictWords(input, lang)
  const why = summary.notValidBecause ? w(`why.${summary.notValidBecause}`) : ''
  const method = technologyName(input.encryption.technology) || technologyName(input.signature.technology)
  const rows: { label: string; value: string; isStrong?: boolean }[] = [
    { label: w('verdict'), value: [verdict.title, verdict.qualifier].filter(Boolean).join(' – '), isStrong: true },
    { label: w('confidentiality'), value: w(`conf.${summary.confidentiality}`) },
    { label: w('authenticity'), value: w(`auth.${summary.authenticity}`, { why }) },
  ]
  if (method) rows.push({ label: w('method'), value: method })
  if (input.signer) {
    rows.push({ label: w('signedBy'), value: `${input.signer.name} <${input.signer.email}>`.trim() })
    rows.push({ label: w('fingerprint'), value: input.signer.fingerprint.replace(/(.{4})(?=.)/g, '$1 ') })
    if (input.signer.signedAt) rows.push({ label: w('signedAt'), value: recordDate(input.signer.signedAt, lang) })
  }
  rows.push({ label: w('checkedAt'), value: recordDate(input.checkedAt.toISOString(), lang) })
  rows.push({ label: w('checkedWith'), value: input.checkedWith })
  const blocks: RecordBlock[] = [
    { kind: 'heading', text: w('section.security') },
    { kind: 'fields', rows },
  ]
  const warnings = summary.warnings.map((warning) =>
    isKnownWarning(warning.code) ? w(`warning.${warning.code}` as RecordWord) : warning.text,
  )
  blocks.push({
    kind: 'fields',
    rows: [
      {
        label: w('warnings'),
        value: warnings.length ? warnings.map((text) => `• ${text}`).join('\n') : w('noWarnings'),
      },
    ],
  })
  return blocks
}

function trailBlocks(input: RecordInput, lang: RecordLang): RecordBlock[] {
  const w = (key: RecordWord, params?: Record<string, string | number>) => recordWord(lang, key, params)
  const blocks: RecordBlock[] = [{ kind: 'heading', text: w('section.trail') }]
  // Received fields are prepended by each server: the last one is the first step.
  const hops = [...input.hops].reverse()
  if (hops.length === 0) return [...blocks, { kind: 'paragraph', text: w('trail.none'), tone: 'muted' }]
  blocks.push({ kind: 'paragraph', text: w('trail.intro'), tone: 'muted' })
  const rows = hops.map((hop, index) => {
    const link =
      hop.tls === true
        ? hop.version
          ? w('trail.tls', { version: hop.version.replace(/^TLSv?/i, 'TLS ') })
          : w('trail.tlsUnknownVersion')
        : hop.tls === false
          ? w('trail.plain')
          : w('trail.unknown')
    const by = hop.by ?? w('trail.unknownHost')
    const route = w('trail.fromTo', {
      from: hop.from ?? w('trail.unknownHost'),
      by: index === hops.length - 1 ? `${by} (${w('trail.you')})` : by,
    })
    const details = [link, hop.with, recordDate(hop.date, lang)].filter(Boolean).join(' · ')
    return { label: w('trail.hop', { n: index + 1 }), value: `${route}\n${details}`, isStrong: hop.tls === false }
  })
  return [...blocks, { kind: 'fields', rows }]
}

const tidy = (text: string) =>
  text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()

function contentBlocks(input: RecordInput, lang: RecordLang): RecordBlock[] {
  const w = (key: RecordWord, params?: Record<string, string | number>) => recordWord(lang, key, params)
  const blocks: RecordBlock[] = [{ kind: 'heading', text: w('section.content') }]
  if (input.summary.isContentHidden) return [...blocks, { kind: 'paragraph', text: w('content.hidden'), tone: 'alert' }]
  const isPartly = input.summary.state === 'partly-protected'
  let shown = 0
  for (const part of input.parts) {
    if (isPartly && !part.encrypted && !part.signed && part.kind !== 'not-opened')
      blocks.push({ kind: 'divider', text: w('content.unprotected') })
    if (part.kind === 'attachment') {
      const attachment = input.attachments[part.index]
      if (attachment)
        blocks.push({
          kind: 'paragraph',
          text: w('content.attachment', { n: part.index + 1, name: attachment.filename }),
          tone: 'muted',
        })
      continue
    }
    shown++
    if (part.kind === 'not-opened') blocks.push({ kind: 'paragraph', text: w('content.notOpened'), tone: 'muted' })
    else if (part.kind === 'text') blocks.push({ kind: 'body', text: tidy(part.text) })
    else {
      blocks.push({ kind: 'paragraph', text: w('content.html'), tone: 'muted' })
      blocks.push({ kind: 'body', text: tidy(htmlToText(part.html)) })
    }
    if (part.kind !== 'not-opened' && part.isTruncated)
      blocks.push({ kind: 'paragraph', text: w('content.truncated'), tone: 'muted' })
  }
  if (shown === 0) blocks.push({ kind: 'paragraph', text: w('content.empty'), tone: 'muted' })
  return blocks
}

/** The record of one reading in `lang`. */
export function messageRecordOf(input: RecordInput, lang: RecordLang): MessageRecord {
  const w = (key: RecordWord, params?: Record<string, string | number>) => recordWord(lang, key, params)
  const { headers } = input
  const subject = headers.subject || w('noSubject')
  const headerRows = [
    { label: w('from'), value: fromLine(headers), isStrong: true },
    { label: w('to'), value: headers.to.join(', ') },
    { label: w('cc'), value: headers.cc.join(', ') },
    { label: w('replyTo'), value: headers.replyTo.join(', ') },
    { label: w('date'), value: recordDate(headers.date, lang) },
    {
      label: w('subject'),
      value: headers.isSubjectProtected ? `${subject} ${w('subjectProtected')}` : subject,
      isStrong: true,
    },
    { label: w('messageId'), value: headers.messageId ?? '' },
  ].filter((row) => row.value !== '')
  const attachmentRows = input.attachments.map((attachment, index) => ({
    label: `${index + 1}.`,
    value: [
      attachment.filename,
      `${w('att.size')}: ${recordSize(attachment.size, lang)} · ${w('att.type')}: ${attachment.contentType}`,
      attachment.encrypted ? w('att.protected') : w('att.unprotected'),
      `SHA-256: ${attachment.sha256}`,
    ].join('\n'),
  }))
  const blocks: RecordBlock[] = [
    { kind: 'paragraph', text: w('intro'), tone: 'muted' },
    { kind: 'heading', text: w('section.headers') },
    { kind: 'fields', rows: headerRows },
    ...securityBlocks(input, lang),
    ...trailBlocks(input, lang),
    ...contentBlocks(input, lang),
    { kind: 'heading', text: w('section.attachments') },
    attachmentRows.length
      ? { kind: 'fields', rows: attachmentRows, isNarrow: true }
      : { kind: 'paragraph', text: w('att.none'), tone: 'muted' },
    { kind: 'heading', text: w('section.original') },
    {
      kind: 'fields',
      rows: [
        { label: w('original.file'), value: input.original.fileName },
        { label: w('original.size'), value: recordSize(input.original.size, lang) },
        { label: w('original.sha256'), value: input.original.sha256 },
      ],
    },
    { kind: 'paragraph', text: w('original.note'), tone: 'muted' },
  ]
  return { lang, title: w('title'), subject, blocks }
}
