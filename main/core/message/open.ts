import { createHash } from 'node:crypto'
import { reason, SiegelpostError, type Lang, type Reason } from '../errors/index.ts'
import { limits } from '../limits.ts'
import type { ByteSource } from '../mime/byte-source.ts'
import {
  decodedBodyChunks,
  decodedHeader,
  decodeHeaderText,
  decodeText,
  decodeBody,
  fileNameOf,
  headerValue,
  headerValues,
  parseMime,
  type MimePart,
} from '../mime/parse.ts'
import { transportTrailOf } from '../transport/received-trail.ts'
import { contentOf, findTechnology, htmlToText } from './open-content.ts'
import { verdictText, warningView, type OpenDocument, type PartView } from './open-document.ts'
import { signatureVerdict } from './open-verdict.ts'
import { addressFields, isPartlyProtected, plaintextHop, senderWarnings } from './open-warnings.ts'
import { decodeAddressHeader } from './addresses.ts'
import type { MessageTechnology, OfferedKey, OpenContext, SignatureCheck } from './technology.ts'
import { dateGap, warning, type Warning } from './verdict.ts'

export type { OpenDocument } from './open-document.ts'
export { localizeDocument } from './open-document.ts'

export interface OpenResult {
  document: OpenDocument
  /** The attachments' decoded bytes, same order as document.attachments (read on use: large ones cost their size). */
  readonly attachmentBytes: Uint8Array[]
  /** Each attachment's decoded bytes in chunks of about 1 MiB (for writing a 100 MB file with bounded memory). */
  attachmentChunks: (() => Iterable<Uint8Array>)[]
  /** Deletes the encrypted spools of a streamed message; call it when done with the attachments. */
  dispose(): void
}

/** What the cryptographic layers found, before the verdict is made and put into words. */
interface Layer {
  encryption: {
    state: 'encrypted' | 'none' | 'failed'
    technology: 'smime' | 'openpgp' | null
    reason: Reason | null
    isAuthenticated: boolean
    cipher: string
  }
  signatures: SignatureCheck[]
  signatureTechnology: MessageTechnology | null
  /** Why a message with no signature of its own is not shown as signed (e.g. only a part is). */
  signatureNote: Reason | null
  /** Certificates the checked signatures carried (offered to the user). */
  offered: Uint8Array[]
  /** Inline protection that is not the whole body. */
  inlinePartial: 'encrypted' | 'signed' | null
}

/** Every part below `root`, depth first. */
function allParts(root: MimePart): MimePart[] {
  return [root, ...root.children.flatMap(allParts)]
}

function protectedHeadersApply(part: MimePart): boolean {
  return part.contentType.params['protected-headers'] !== undefined || part.contentType.params.hp !== undefined
}

function describeDate(value: string | undefined): string {
  if (!value) return ''
  const time = Date.parse(value)
  return Number.isNaN(time) ? decodeHeaderText(value) : new Date(time).toISOString()
}

function dateOf(value: string | undefined): Date | null {
  const time = Date.parse(value ?? '')
  return Number.isNaN(time) ? null : new Date(time)
}

/**
 * Opens a message: decrypts a top-level encrypted part, checks signatures, and returns what the
 * user may see with an honest security summary. Never decrypts a nested part automatically and
 * never joins decrypted with unencrypted parts (EFAIL); a failed decryption is a state, not a throw.
 */
export async function openMessage(
  raw: Uint8Array | ByteSource,
  technologies: readonly MessageTechnology[],
  context: OpenContext,
): Promise<OpenResult> {
  const spools: (() => void)[] = []
  const dispose = () => spools.splice(0).forEach((disposeSpool) => disposeSpool())
  const scoped: OpenContext = context.streaming
    ? { ...context, streaming: { ...context.streaming, keep: (disposeSpool) => spools.push(disposeSpool) } }
    : context
  try {
    // Not spread: attachmentBytes is a getter that would decode every attachment.
    return Object.assign((await openParsed(parseMime(raw), technologies, scoped)) as OpenResult, { dispose })
  } catch (error) {
    dispose()
    throw error
  }
}

async function openParsed(
  root: MimePart,
  technologies: readonly MessageTechnology[],
  context: OpenContext,
): Promise<Omit<OpenResult, 'dispose'>> {
  const layer: Layer = {
    encryption: { state: 'none', technology: null, reason: null, isAuthenticated: true, cipher: '' },
    signatures: [],
    signatureTechnology: null,
    signatureNote: null,
    offered: [],
    inlinePartial: null,
  }
  const nothing = {
    text: '',
    attachments: [],
    kinds: [],
    hasNestedEncrypted: false,
    hasNestedSigned: false,
    inline: [],
  }
  let displayed: MimePart = root
  let inlineText: string | null = null
  let isInlineInspected = false
  let isInnerTrusted = false

  // A signature around the encrypted entity (some clients sign the ciphertext, of any signature
  // technology): the encrypted entity is still the whole message and is decrypted, but that
  // signature covers only ciphertext, so it never makes the message "signed".
  let top = root
  const wrapped =
    root.contentType.type === 'multipart/signed'
      ? root.children[0]
      : (technologies.map((t) => t.opaqueSignedContent?.(root)).find(Boolean) ?? undefined)
  if (wrapped && findTechnology(technologies, wrapped, 'isEncrypted')) {
    top = wrapped
    layer.signatureNote = reason('SIGNATURE_ONLY_CIPHERTEXT')
  }
  const encryptedBy = findTechnology(technologies, top, 'isEncrypted')
  if (encryptedBy) {
    const outcome = await encryptedBy.decrypt(top, context)
    if (!outcome.ok) {
      layer.encryption = { ...layer.encryption, state: 'failed', technology: encryptedBy.technology }
      layer.encryption.reason = outcome.reason
      return finish(root, root, layer, nothing, null, context, technologies, false)
    }
    const recipients = outcome.recipients.join(', ')
    const { isAuthenticated, cipher } = outcome
    const why = recipients ? reason('ENCRYPTION_DECRYPTED', { recipients }) : null
    layer.encryption = { state: 'encrypted', technology: encryptedBy.technology, reason: why, isAuthenticated, cipher }
    layer.signatures = outcome.signatures
    layer.signatureTechnology = outcome.signatures.length ? encryptedBy : null
    layer.offered.push(...(outcome.offered ?? []))
    displayed = parseMime(outcome.content)
    isInnerTrusted = true
  }
  const signedBy = findTechnology(technologies, displayed, 'isSigned')
  if (signedBy && layer.signatures.length === 0) {
    const { content, signatures, offered } = await signedBy.verify(displayed, context)
    layer.signatures = signatures
    layer.signatureTechnology = signedBy
    layer.offered.push(...(offered ?? []))
    displayed = parseMime(content)
    // Nested signatures of the same technology (a list or gateway signing a signed mail): every
    // layer must check out; what is shown is the innermost content, covered by all of them.
    for (let depth = 1; depth < limits.messageMaxSignatureLayers && signedBy.isSigned(displayed); depth++) {
      const inner = await signedBy.verify(displayed, context)
      layer.signatures = [...layer.signatures, ...inner.signatures]
      layer.offered.push(...(inner.offered ?? []))
      displayed = parseMime(inner.content)
    }
  }

  // Inline protection counts only when its text part is the whole message (alone, or alone in a multipart/mixed).
  const soleText =
    displayed.children.length === 0
      ? displayed
      : displayed.contentType.type === 'multipart/mixed' && displayed.children.length === 1
        ? displayed.children[0]!
        : null
  const isSoleTextPart =
    soleText !== null &&
    soleText.children.length === 0 &&
    ['text/plain', 'text/html'].includes(soleText.contentType.type)
  if (!encryptedBy && !signedBy && isSoleTextPart) {
    const text = soleText.contentType.type === 'text/html' ? htmlToText(decodeText(soleText)) : decodeText(soleText)
    for (const technology of technologies) {
      const inline = await technology.inspectInline?.(text, context)
      if (!inline) continue
      isInlineInspected = true
      if (!inline.isWholeBody) {
        layer.inlinePartial = inline.kind
        if (inline.kind === 'encrypted') layer.encryption.reason = reason('ENCRYPTION_INLINE_NOT_WHOLE')
        else layer.signatureNote = reason('SIGNATURE_INLINE_PARTIAL')
        break
      }
      if (inline.kind === 'encrypted') {
        if (inline.failure !== null) {
          layer.encryption = { ...layer.encryption, state: 'failed', technology: technology.technology }
          layer.encryption.reason = inline.failure
          return finish(root, root, layer, nothing, null, context, technologies, false)
        }
        layer.encryption = { ...layer.encryption, state: 'encrypted', technology: technology.technology }
        layer.encryption.reason = reason('ENCRYPTION_INLINE')
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
  // Inline protection in a text that is not the whole message (a clearsigned or encrypted block beside other
  // parts) is never checked or opened, and never makes the message signed or encrypted.
  if (!isInlineInspected) {
    const kind = content.inline.find((k) => k === 'encrypted' || layer.signatures.length === 0)
    if (kind === 'encrypted' && layer.encryption.state === 'none') {
      layer.encryption.reason = reason('ENCRYPTION_INLINE_NOT_WHOLE')
    } else if (kind === 'signed') layer.signatureNote ??= reason('SIGNATURE_INLINE_PARTIAL')
    layer.inlinePartial = kind ?? null
  }
  if (content.hasNestedSigned && layer.signatures.length === 0) layer.signatureNote ??= reason('SIGNATURE_PARTIAL')
  if (content.hasNestedEncrypted && layer.encryption.state === 'none') {
    layer.encryption.reason = reason('ENCRYPTION_NESTED_NOT_OPENED')
  }
  const isSignatureValidForHeaders = layer.signatures.length > 0 && layer.signatures.every((c) => c.result === 'valid')
  const isTrusted = isInnerTrusted || isSignatureValidForHeaders
  return finish(root, displayed, layer, content, inlineText, context, technologies, isTrusted)
}

async function finish(
  root: MimePart,
  displayed: MimePart,
  layer: Layer,
  content: ReturnType<typeof contentOf>,
  inlineText: string | null,
  context: OpenContext,
  technologies: readonly MessageTechnology[],
  isInnerTrusted: boolean,
): Promise<Omit<OpenResult, 'dispose'>> {
  const lang: Lang = context.lang ?? 'en'
  // RFC 9788: the header fields inside the cryptographic payload replace the outer ones.
  const source = isInnerTrusted && displayed !== root && protectedHeadersApply(displayed) ? displayed : null
  const pick = (name: string) => (source ? headerValue(source, name) : undefined) ?? headerValue(root, name)
  // Every field of a name counts (a second To or From header is dropped by nothing here).
  const fields = (name: string) =>
    source && headerValue(source, name) !== undefined ? headerValues(source, name) : headerValues(root, name)
  // Every From field counts: a second From header is a known spoofing trick (one signer, two senders).
  const fromFields = fields('from')
  const fromValue = fromFields.length > 0 ? fromFields.join(', ') : undefined
  // The outer From counts as well (a mail list shows it): a signer must match every sender named anywhere.
  const fromAddresses = addressFields([...fromFields, ...headerValues(root, 'from')])
  const attachmentParts = content.attachments
  const attachmentChunks = attachmentParts.map((part) => () => decodedBodyChunks(part))
  const offered: OfferedKey[] = []
  for (const technology of technologies) {
    offered.push(...((await technology.offeredKeys?.(root, allParts(displayed), layer.offered)) ?? []))
  }
  for (const key of offered)
    key.isKnown = context.keys.some((k) => k.technology === key.technology && k.fingerprint === key.fingerprint)

  const signature = signatureVerdict(layer.signatures, fromAddresses, layer.signatureNote)
  const isEncrypted = layer.encryption.state === 'encrypted'
  const isSigned = signature.state === 'valid'
  // A whole-body inline text is shown as that text (the verified or decrypted one), whatever markup carried it.
  const kinds = inlineText === null ? content.kinds : content.kinds.map((kind) => (kind === 'html' ? 'text' : kind))
  const parts: PartView[] = kinds.map((kind) => ({
    kind,
    encrypted: isEncrypted || kind === 'not-opened',
    signed: isSigned,
  }))
  const headers = { sender: addressFields(fields('sender')), replyTo: addressFields(fields('reply-to')) }
  const transport = transportTrailOf(headerValues(root, 'received'))

  const isProtected = isEncrypted || signature.state !== 'none'
  const warnings: Warning[] = senderWarnings({ fromFields, fromAddresses, ...headers }, isProtected)
  if (signature.check) {
    const gap = dateGap(signature.check.created, dateOf(pick('date')))
    if (gap) warnings.push(gap)
    // The technology's own notes (revoked later, no signing time); the date gap is decided above, once.
    const notes = signature.check.result === 'valid' ? (signature.check.warnings ?? []) : []
    warnings.push(...notes.filter((w) => w.code !== 'date-gap'))
  }
  if (isEncrypted && !layer.encryption.isAuthenticated && !isSigned) {
    warnings.push(warning('unauthenticated-encryption', { cipher: layer.encryption.cipher }))
  }
  const nestedEncrypted = content.hasNestedEncrypted || layer.inlinePartial === 'encrypted'
  const nestedSigned = (content.hasNestedSigned && layer.signatures.length === 0) || layer.inlinePartial === 'signed'
  if (isPartlyProtected(parts, nestedEncrypted, nestedSigned)) warnings.push(warning('partly-protected'))
  if (nestedEncrypted) warnings.push(warning('encrypted-part-not-opened'))
  // A signature that did not count (state `none`) still has something to say: its note becomes a warning.
  const note = signature.state === 'none' ? signature.reason : null
  if (note?.code === 'SIGNATURE_DAMAGED') warnings.push(warning('signature-damaged', note.params))
  if (note?.code === 'SIGNATURE_ONLY_CIPHERTEXT') warnings.push(warning('signature-only-ciphertext'))
  const hop = plaintextHop(transport, fromAddresses, context.policyRules ?? [])
  if (hop) warnings.push(hop)
  if (context.senderHistory) {
    const signer = isSigned ? (signature.check?.key ?? null) : null
    const address = fromAddresses.length === 1 ? fromAddresses[0]! : null
    warnings.push(...(await context.senderHistory({ address, signer })))
  }

  // Last, after every check: one decoding pass per attachment gives its size and digest, and feeds the sink.
  const filenames = attachmentParts.map((part) => fileNameOf(part) ?? `part-${part.path || '1'}`)
  const digests: { size: number; sha256: string }[] = []
  for (const [index, chunks] of attachmentChunks.entries()) {
    const sink = context.attachmentSink
    const feed = sink ? (hashed: Iterable<Uint8Array>) => sink({ index, filename: filenames[index]! }, hashed) : null
    digests.push(await digestOf(chunks(), feed))
  }

  const document: OpenDocument = {
    headers: {
      from: fromValue ? decodeAddressHeader(fromValue) : '',
      to: addressFields(fields('to')),
      cc: addressFields(fields('cc')),
      ...headers,
      subject: (source ? decodedHeader(source, 'subject') : undefined) ?? decodedHeader(root, 'subject') ?? '',
      date: describeDate(pick('date')),
    },
    security: {
      encryption: {
        state: layer.encryption.state,
        technology: layer.encryption.technology,
        // CLI.md: the code is null when the state is `none`; what there is to say is a warning then.
        ...verdictText(layer.encryption.state === 'none' ? null : layer.encryption.reason, lang),
      },
      signature: {
        state: signature.state,
        technology: signature.state === 'none' ? null : (layer.signatureTechnology?.technology ?? null),
        signer: signature.signer,
        acceptance: signature.acceptance,
        ...verdictText(signature.state === 'none' ? null : signature.reason, lang),
      },
      warnings: uniqueWarnings(warnings).map((w) => warningView(w, lang)),
      transport,
    },
    text: inlineText ?? content.text,
    parts,
    attachments: attachmentParts.map((part, index) => ({
      filename: filenames[index]!,
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

/**
 * Size and SHA-256 of an attachment's decoded chunks, counted as they pass: with `feed`, the digest is of exactly
 * what `feed` took, and a feed that did not take every chunk is an error (the file would not match the digest).
 */
async function digestOf(
  chunks: Iterable<Uint8Array>,
  feed: ((hashed: Iterable<Uint8Array>) => Promise<void>) | null,
): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256')
  let size = 0
  let isComplete = false
  function* hashed(): Generator<Uint8Array> {
    for (const chunk of chunks) {
      hash.update(chunk)
      size += chunk.length
      yield chunk
    }
    isComplete = true
  }
  const pass = hashed()
  if (feed) await feed(pass)
  else for (let step = pass.next(); !step.done; step = pass.next());
  if (!isComplete) throw new SiegelpostError('INTERNAL', { reason: 'an attachment was not written whole' })
  return { size, sha256: hash.digest('hex') }
}

function uniqueWarnings(warnings: readonly Warning[]): Warning[] {
  const seen = new Set<string>()
  return warnings.filter((w) => {
    const key = JSON.stringify([w.code, w.params])
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
