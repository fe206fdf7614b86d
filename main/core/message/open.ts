import { createHash } from 'node:crypto'
import type { StoredKey } from '../keys/stored-key.ts'
import { limits } from '../limits.ts'
import type { ByteSource } from '../mime/byte-source.ts'
import { decodedBodyChunks, decodedHeader, decodeHeaderText, decodeText, decodeBody, fileNameOf, headerValue, headerValues, isAttachmentDisposition, parseMime, type MimePart } from '../mime/parse.ts'
import { addressesOf } from './addresses.ts'
import type { MessageTechnology, OfferedKey, OpenContext, SignatureCheck } from './technology.ts'
import { transportTrailOf, type TransportTrail } from '../transport/received-trail.ts'

/** The `open --json` document of CLI.md, plus offered keys (an extension; never imported silently). */
export interface OpenDocument {
  headers: { from: string; to: string[]; subject: string; date: string }
  security: {
    encryption: { state: 'encrypted' | 'none' | 'failed'; technology: 'smime' | 'openpgp' | null; reason: string }
    signature: {
      state: 'valid' | 'invalid' | 'unknown-key' | 'mismatch' | 'none'
      technology: 'smime' | 'openpgp' | null
      signer: string | null
      acceptance: 'verified' | 'unverified' | null
      reason: string
    }
    transport: TransportTrail
  }
  text: string
  attachments: { filename: string; contentType: string; size: number; sha256: string }[]
  offeredKeys: OfferedKey[]
}

export interface OpenResult {
  document: OpenDocument
  /** The attachments' decoded bytes, same order as document.attachments (read on use: large ones cost their size). */
  readonly attachmentBytes: Uint8Array[]
  /** Each attachment's decoded bytes in chunks of about 1 MiB (for writing a 100 MB file with bounded memory). */
  attachmentChunks: (() => Iterable<Uint8Array>)[]
  /** Deletes the encrypted spools of a streamed message; call it when done with the attachments. */
  dispose(): void
}

/** A signature time this far from the Date header is pointed out (CLI.md: a warning in reason). */
const dateGapWarningMs = 7 * 24 * 3600 * 1000

interface Layer {
  encryption: OpenDocument['security']['encryption']
  signatures: SignatureCheck[]
  signatureTechnology: MessageTechnology | null
  signatureNote: string
}

function findTechnology(technologies: readonly MessageTechnology[], part: MimePart, test: 'isEncrypted' | 'isSigned') {
  return technologies.find((technology) => technology[test](part)) ?? null
}

/** Every part below `root`, depth first. */
function allParts(root: MimePart): MimePart[] {
  return [root, ...root.children.flatMap(allParts)]
}

function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/p>|<\/div>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code) % 0x110000))
    .replace(/&amp;/g, '&')
}

/** What the user sees: inline text parts and the attachments (leaves that are not body text). */
function contentOf(root: MimePart, technologies: readonly MessageTechnology[]) {
  const texts: string[] = []
  const attachments: MimePart[] = []
  let nestedProtection: string | null = null
  const visit = (part: MimePart) => {
    const type = part.contentType.type
    // Leaves too: an S/MIME encrypted or opaque-signed entity is a single application/pkcs7-mime part.
    if (findTechnology(technologies, part, 'isEncrypted')) nestedProtection = 'an encrypted part inside the message was not decrypted automatically (only a top-level encrypted part is)'
    if (findTechnology(technologies, part, 'isSigned')) nestedProtection ??= 'only a part of the message is signed; the message is not shown as signed'
    if (part.children.length > 0) {
      if (type === 'multipart/alternative') {
        const plain = part.children.find((c) => c.contentType.type === 'text/plain')
        visit(plain ?? part.children[part.children.length - 1]!)
        return
      }
      if (type === 'multipart/signed') {
        // Show the content; the signature part itself is not shown as an attachment.
        if (part.children[0]) visit(part.children[0])
        return
      }
      part.children.forEach(visit)
      return
    }
    if (part.contentType.params['hp-legacy-display'] === '1') return
    const isText = type === 'text/plain' || type === 'text/html'
    if (isText && !isAttachmentDisposition(part) && fileNameOf(part) === null) {
      texts.push(type === 'text/html' ? htmlToText(decodeText(part)) : decodeText(part))
      return
    }
    if (type === 'application/pgp-signature' || type === 'application/pgp-encrypted') return
    attachments.push(part)
  }
  visit(root)
  return { text: texts.join('\n'), attachments, nestedProtection: nestedProtection as string | null }
}

function protectedHeadersApply(part: MimePart): boolean {
  return part.contentType.params['protected-headers'] !== undefined || part.contentType.params.hp !== undefined
}

function describeDate(value: string | undefined): string {
  if (!value) return ''
  const time = Date.parse(value)
  return Number.isNaN(time) ? decodeHeaderText(value) : new Date(time).toISOString()
}

/** The Received trail, read by the transport domain's parser (one reading of TLS evidence for the whole app). */
function transportOf(root: MimePart): TransportTrail {
  return transportTrailOf(headerValues(root, 'received'))
}

/**
 * The verdict for the whole displayed message (CLI.md): valid only when a signature checks out,
 * covers everything shown, and its key names the single From address. SHA-1 and keys invalid at
 * the signature's own time arrive here as 'bad' from the technology.
 */
function signatureVerdict(layer: Layer, fromAddresses: string[], dateHeader: string | undefined): OpenDocument['security']['signature'] {
  const technology = layer.signatureTechnology?.technology ?? null
  const checks = layer.signatures
  if (checks.length === 0) return { state: 'none', technology: null, signer: null, acceptance: null, reason: layer.signatureNote }
  const bad = checks.find((c) => c.result === 'bad')
  if (bad) {
    return { state: 'invalid', technology, signer: bad.key?.emails[0] ?? null, acceptance: bad.key?.acceptance ?? null, reason: bad.reason }
  }
  const good = checks.filter((c) => c.result === 'good' && c.key !== null)
  if (good.length === 0) {
    return { state: 'unknown-key', technology, signer: null, acceptance: null, reason: `signed with key ${checks[0]!.keyId}, which is not in the vault; import the sender's key to check it` }
  }
  const warnings: string[] = []
  const created = good[0]!.created
  const date = dateHeader ? Date.parse(dateHeader) : NaN
  if (created && !Number.isNaN(date) && Math.abs(created.getTime() - date) > dateGapWarningMs) {
    warnings.push(`warning: the signature was made ${created.toISOString()}, far from the Date header`)
  }
  for (const check of good) {
    const key = check.key as StoredKey
    if (key.flags.revoked) return { state: 'invalid', technology, signer: key.emails[0] ?? null, acceptance: key.acceptance, reason: 'the signing key has been revoked' }
    if (fromAddresses.length === 1 && key.emails.includes(fromAddresses[0]!)) {
      return { state: 'valid', technology, signer: fromAddresses[0]!, acceptance: key.acceptance, reason: [check.reason, ...warnings].filter(Boolean).join('; ') }
    }
  }
  const key = good[0]!.key as StoredKey
  const why = fromAddresses.length === 1 ? `the signer (${key.emails.join(', ') || key.fingerprint}) is not the sender ${fromAddresses[0]}` : `the message names ${fromAddresses.length} senders; the signer must be the only one`
  return { state: 'mismatch', technology, signer: key.emails[0] ?? null, acceptance: key.acceptance, reason: why }
}

/**
 * Opens a message: decrypts a top-level encrypted part, checks signatures, and returns what the
 * user may see with an honest security summary. Never decrypts a nested part automatically and
 * never joins decrypted with unencrypted parts (EFAIL); a failed decryption is a state, not a throw.
 */
export async function openMessage(raw: Uint8Array | ByteSource, technologies: readonly MessageTechnology[], context: OpenContext): Promise<OpenResult> {
  const spools: (() => void)[] = []
  const dispose = () => spools.splice(0).forEach((disposeSpool) => disposeSpool())
  const scoped: OpenContext = context.streaming ? { ...context, streaming: { ...context.streaming, keep: (disposeSpool) => spools.push(disposeSpool) } } : context
  try {
    // Not spread: attachmentBytes is a getter that would decode every attachment.
    return Object.assign(await openParsed(parseMime(raw), technologies, scoped) as OpenResult, { dispose })
  } catch (error) {
    dispose()
    throw error
  }
}

async function openParsed(root: MimePart, technologies: readonly MessageTechnology[], context: OpenContext): Promise<Omit<OpenResult, 'dispose'>> {
  const layer: Layer = {
    encryption: { state: 'none', technology: null, reason: '' },
    signatures: [],
    signatureTechnology: null,
    signatureNote: '',
  }
  let displayed: MimePart = root
  let inlineText: string | null = null
  let isInnerTrusted = false

  // A signature around the encrypted entity (some clients sign the ciphertext, of any signature
  // technology): the encrypted entity is still the whole message and is decrypted, but that
  // signature covers only ciphertext, so it never makes the message "signed".
  let top = root
  const wrapped = root.contentType.type === 'multipart/signed' ? root.children[0] : (technologies.map((t) => t.opaqueSignedContent?.(root)).find(Boolean) ?? undefined)
  if (wrapped && findTechnology(technologies, wrapped, 'isEncrypted')) {
    top = wrapped
    layer.signatureNote = 'the signature covers only the encrypted form, not the message itself; it is not shown as signed'
  }
  const encryptedBy = findTechnology(technologies, top, 'isEncrypted')
  if (encryptedBy) {
    const outcome = await encryptedBy.decrypt(top, context)
    if (!outcome.ok) {
      layer.encryption = { state: 'failed', technology: encryptedBy.technology, reason: outcome.reason }
      return finish(root, root, layer, '', [], context, technologies, false)
    }
    layer.encryption = { state: 'encrypted', technology: encryptedBy.technology, reason: outcome.recipients.length ? `encrypted to ${outcome.recipients.join(', ')}` : '' }
    layer.signatures = outcome.signatures
    layer.signatureTechnology = outcome.signatures.length ? encryptedBy : null
    displayed = parseMime(outcome.content)
    isInnerTrusted = true
  }
  const signedBy = findTechnology(technologies, displayed, 'isSigned')
  if (signedBy && layer.signatures.length === 0) {
    const { content, signatures } = await signedBy.verify(displayed, context)
    layer.signatures = signatures
    layer.signatureTechnology = signedBy
    displayed = parseMime(content)
    // Nested signatures of the same technology (a list or gateway signing a signed mail): every
    // layer must check out; what is shown is the innermost content, covered by all of them.
    for (let depth = 1; depth < limits.messageMaxSignatureLayers && signedBy.isSigned(displayed); depth++) {
      const inner = await signedBy.verify(displayed, context)
      layer.signatures = [...layer.signatures, ...inner.signatures]
      displayed = parseMime(inner.content)
    }
  }

  // Inline protection counts only when its text part is the whole message (alone, or alone in a multipart/mixed).
  const soleText = displayed.children.length === 0 ? displayed : displayed.contentType.type === 'multipart/mixed' && displayed.children.length === 1 ? displayed.children[0]! : null
  const isSoleTextPart = soleText !== null && soleText.children.length === 0 && ['text/plain', 'text/html'].includes(soleText.contentType.type)
  if (!encryptedBy && !signedBy && isSoleTextPart) {
    const text = soleText.contentType.type === 'text/html' ? htmlToText(decodeText(soleText)) : decodeText(soleText)
    for (const technology of technologies) {
      const inline = await technology.inspectInline?.(text, context)
      if (!inline) continue
      if (!inline.isWholeBody) {
        const note = inline.kind === 'encrypted' ? 'the text contains an encrypted block with other text around it; it was not decrypted automatically' : 'only a part of the text is signed; the message is not shown as signed'
        if (inline.kind === 'encrypted') layer.encryption.reason = note
        else layer.signatureNote = note
        break
      }
      if (inline.kind === 'encrypted') {
        if (inline.failure !== null) {
          layer.encryption = { state: 'failed', technology: technology.technology, reason: inline.failure }
          return finish(root, root, layer, '', [], context, technologies, false)
        }
        layer.encryption = { state: 'encrypted', technology: technology.technology, reason: 'inline' }
      } else if (inline.failure !== null) {
        layer.signatureNote = inline.failure
      }
      layer.signatures = inline.signatures
      layer.signatureTechnology = inline.signatures.length ? technology : null
      inlineText = inline.text
      break
    }
  }

  const content = contentOf(displayed, technologies)
  if (content.nestedProtection && layer.signatures.length === 0) layer.signatureNote ||= content.nestedProtection
  if (content.nestedProtection?.startsWith('an encrypted') && layer.encryption.state === 'none') layer.encryption.reason = content.nestedProtection
  const isSignatureValidForHeaders = layer.signatures.length > 0 && layer.signatures.every((c) => c.result === 'good')
  return finish(root, displayed, layer, inlineText ?? content.text, content.attachments, context, technologies, isInnerTrusted || isSignatureValidForHeaders)
}

async function finish(
  root: MimePart,
  displayed: MimePart,
  layer: Layer,
  text: string,
  attachmentParts: MimePart[],
  context: OpenContext,
  technologies: readonly MessageTechnology[],
  isInnerTrusted: boolean,
): Promise<Omit<OpenResult, 'dispose'>> {
  // RFC 9788: the header fields inside the cryptographic payload replace the outer ones.
  const source = isInnerTrusted && displayed !== root && protectedHeadersApply(displayed) ? displayed : null
  const pick = (name: string) => (source ? headerValue(source, name) : undefined) ?? headerValue(root, name)
  // Every From field counts: a second From header is a known spoofing trick (one signer, two senders).
  const fromFields = source && headerValue(source, 'from') !== undefined ? headerValues(source, 'from') : headerValues(root, 'from')
  const fromValue = fromFields.length > 0 ? fromFields.join(', ') : undefined
  // The outer From counts as well (a mail list shows it): a signer must match every sender named anywhere.
  const fromAddresses = [...new Set([...fromFields, ...headerValues(root, 'from')].flatMap((field) => addressesOf(field)))]
  const attachmentChunks = attachmentParts.map((part) => () => decodedBodyChunks(part))
  const digests = attachmentChunks.map((chunks) => {
    const hash = createHash('sha256')
    let size = 0
    for (const chunk of chunks()) {
      hash.update(chunk)
      size += chunk.length
    }
    return { size, sha256: hash.digest('hex') }
  })
  const offered: OfferedKey[] = []
  for (const technology of technologies) offered.push(...((await technology.offeredKeys?.(root, allParts(displayed))) ?? []))
  for (const key of offered) key.isKnown = context.keys.some((k) => k.technology === key.technology && k.fingerprint === key.fingerprint)
  const document: OpenDocument = {
    headers: {
      from: fromValue ? decodeHeaderText(fromValue) : '',
      to: addressesOf(pick('to')),
      subject: (source ? decodedHeader(source, 'subject') : undefined) ?? decodedHeader(root, 'subject') ?? '',
      date: describeDate(pick('date')),
    },
    security: {
      encryption: layer.encryption,
      signature: signatureVerdict(layer, fromAddresses, pick('date')),
      transport: transportOf(root),
    },
    text,
    attachments: attachmentParts.map((part, index) => ({
      filename: fileNameOf(part) ?? `part-${part.path || '1'}`,
      contentType: part.contentType.type,
      ...digests[index]!,
    })),
    offeredKeys: offered,
  }
  return {
    document,
    attachmentChunks,
    get attachmentBytes() {
      return attachmentParts.map(decodeBody)
    },
  }
}
