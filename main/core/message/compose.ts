import { randomBytes } from 'node:crypto'
import { SiegelpostError } from '../errors/index.ts'
import type { StoredKey } from '../keys/stored-key.ts'
import { sourceChunksAhead, type ByteSource } from '../mime/byte-source.ts'
import {
  attachmentEntity,
  attachmentEntityChunks,
  concatBytes,
  entity,
  headerLine,
  multipart,
  multipartStream,
  quotedPrintable,
  structuredValue,
  type HeaderList,
} from '../mime/build.ts'
import { isAddress } from './addresses.ts'
import type { MessageTechnology, StreamingContext } from './technology.ts'

export interface ComposeInput {
  from: string
  to: readonly string[]
  cc: readonly string[]
  subject: string
  body: string
  /** Bytes in memory, or a ByteSource (a file read in chunks) for large attachments. */
  attachments: readonly { fileName: string; contentType: string; bytes: Uint8Array | ByteSource }[]
  encrypt: 'auto' | 'openpgp' | 'smime' | 'container' | 'none'
  /** true: must sign; false: must not; undefined: sign when the sender has a signing key. */
  sign: boolean | undefined
  /** A reply's thread (RFC 5322 §3.6.4): the Message-ID it answers and the thread's ids. */
  inReplyTo?: string | null
  references?: readonly string[]
}

export interface ComposeContext {
  keys: readonly StoredKey[]
  now: Date
  technologies: readonly MessageTechnology[]
  random?: (length: number) => Uint8Array
  /** Large messages: encrypted in chunks (in a worker thread when one is given) instead of in memory. */
  streaming?: StreamingContext
  /**
   * The password of a container recipient's password PDF: the standing one agreed with that client, else a
   * new one (`generated`: shown once to the sender, never stored).
   */
  containerPassword?: (address: string) => Promise<{ password: string; generated: boolean }>
}

export interface ComposeResult extends ComposeSummary {
  bytes: Uint8Array
}

/** composeMessageStream's result: the message as chunks, produced as they are read. */
export interface ComposeStream extends ComposeSummary {
  chunks: AsyncIterable<Uint8Array>
}

export interface ComposeSummary {
  messageId: string
  technology: 'openpgp' | 'smime' | null
  encrypted: boolean
  signed: boolean
  /** Fingerprints of every key the message is encrypted to (recipients and the sender). */
  encryptedTo: string[]
  signedBy: string | null
}

/** The neutral outer Subject of RFC 9788 §4.2 when the real one travels encrypted. */
export const neutralSubject = '...'

/** A fresh Message-ID at the sender's domain. */
export function newMessageId(
  from: string,
  random: (length: number) => Uint8Array = (length) => new Uint8Array(randomBytes(length)),
): string {
  return `<${Buffer.from(random(16)).toString('hex')}@${from.split('@')[1]!}>`
}

function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000')
}

interface Plan {
  technology: MessageTechnology | null
  recipients: StoredKey[]
  signer: StoredKey | null
}

function plan(input: ComposeInput, context: ComposeContext): Plan {
  const { keys, now, technologies } = context
  const everyone = [...input.to, ...input.cc, input.from]
  const signerFor = (technology: MessageTechnology | null): StoredKey | null => {
    if (input.sign === false) return null
    const candidates = technology ? [technology] : technologies
    for (const candidate of candidates) {
      const key = candidate.keyFor(keys, input.from, 'sign', now)
      if (key) return key
    }
    if (input.sign === true) throw new SiegelpostError('MESSAGE_NO_SIGNING_KEY', { address: input.from })
    return null
  }
  if (input.encrypt === 'none') {
    const signer = signerFor(null)
    return {
      technology: signer ? technologies.find((t) => t.technology === signer.technology)! : null,
      recipients: [],
      signer,
    }
  }
  if (input.encrypt === 'container') throw new SiegelpostError('MESSAGE_MODE_UNSUPPORTED', { mode: input.encrypt })
  const candidates =
    input.encrypt === 'auto' ? technologies : technologies.filter((t) => t.technology === input.encrypt)
  if (candidates.length === 0) throw new SiegelpostError('MESSAGE_MODE_UNSUPPORTED', { mode: input.encrypt })
  let firstMissing: string | null = null
  for (const technology of candidates) {
    const recipients: StoredKey[] = []
    let missing: string | null = null
    for (const address of everyone) {
      const key = technology.keyFor(keys, address, 'encrypt', now)
      if (!key) {
        missing = address
        break
      }
      if (!recipients.some((r) => r.fingerprint === key.fingerprint)) recipients.push(key)
    }
    if (missing === null) return { technology, recipients, signer: signerFor(technology) }
    firstMissing ??= missing
  }
  // Never a silent fallback to plaintext: the user decides (another key, a container, documented consent).
  throw new SiegelpostError('MESSAGE_NO_RECIPIENT_KEY', { address: firstMissing ?? input.to[0] ?? input.from })
}

/**
 * Builds a complete message: the content (text + attachments) with the header fields protected
 * inside it (RFC 9788 §2: hp="cipher" when encrypted, "clear" when only signed), then signed
 * and/or encrypted by the chosen technology, encrypted to every recipient and to the sender.
 */
export async function composeMessage(input: ComposeInput, context: ComposeContext): Promise<ComposeResult> {
  const { chunks, ...summary } = await composeMessageStream(input, context)
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  return { ...summary, bytes: concatBytes(parts) }
}

/**
 * composeMessage as chunks. With `context.streaming`, attachments given as ByteSources and a
 * technology that encrypts streams, a 100 MB attachment is never held whole: it is read, base64
 * encoded, encrypted and armored piece by piece. Otherwise the message is built in memory.
 */
export async function composeMessageStream(input: ComposeInput, context: ComposeContext): Promise<ComposeStream> {
  for (const address of [input.from, ...input.to, ...input.cc]) {
    if (!isAddress(address)) throw new SiegelpostError('MESSAGE_BAD_ADDRESS', { address })
  }
  if (input.to.length === 0)
    throw new SiegelpostError('USAGE_MISSING_OPTION', { command: 'compose', option: '--to ADDR' })
  return buildMessageStream(input, plan(input, context), context)
}

/** Who a message is encrypted to and signed by, decided by the caller (compose's own plan or the per-recipient plan). */
export interface BuildPlan {
  technology: MessageTechnology | null
  /** Keys to encrypt to (the sender's own included); none: not encrypted. */
  recipients: StoredKey[]
  signer: StoredKey | null
}

export interface BuildOptions {
  /** The copies of one mail share their Message-ID. */
  messageId?: string
  /**
   * Fields only the sender's own copy carries (Bcc, what each recipient got): inside the protected
   * part when the message is signed or encrypted (RFC 9788 inner header), else in the header.
   */
  privateFields?: HeaderList
}

/** The message for a plan decided elsewhere: header, content (RFC 9788 protected headers), signed and/or encrypted. */
export async function buildMessageStream(
  input: ComposeInput,
  plan: BuildPlan,
  context: ComposeContext,
  options: BuildOptions = {},
): Promise<ComposeStream> {
  const { technology, recipients, signer } = plan
  const isEncrypted = recipients.length > 0
  const random = context.random ?? ((length: number) => new Uint8Array(randomBytes(length)))
  const messageId = options.messageId ?? newMessageId(input.from, random)
  const fields: HeaderList = [
    ['From', input.from],
    ['To', input.to.join(', ')],
    ...(input.cc.length ? ([['Cc', input.cc.join(', ')]] as const) : []),
    ['Subject', input.subject],
    ['Date', rfc5322Date(context.now)],
    ['Message-ID', messageId],
    ...(input.inReplyTo ? ([['In-Reply-To', input.inReplyTo]] as const) : []),
    ...(input.references?.length ? ([['References', input.references.join(' ')]] as const) : []),
  ]
  const isProtected = isEncrypted || signer !== null
  const privateFields = options.privateFields ?? []
  const hp: Record<string, string> = isProtected
    ? { 'protected-headers': 'v1', hp: isEncrypted ? 'cipher' : 'clear' }
    : {}
  const innerHeaders: HeaderList = isProtected ? [...fields, ...privateFields] : []
  const textHeaders = (params: Record<string, string>): HeaderList => [
    ['Content-Type', structuredValue('text/plain', { charset: 'utf-8', ...params })],
    ['Content-Transfer-Encoding', 'quoted-printable'],
  ]
  const bodyText = input.body.endsWith('\n') ? input.body : `${input.body}\n`
  const isLarge = input.attachments.some((a) => !(a.bytes instanceof Uint8Array))
  const bytesOf = (source: Uint8Array | ByteSource) =>
    source instanceof Uint8Array ? source : source.read(0, source.length)
  const textPart = () => entity(textHeaders({}), quotedPrintable(bodyText))
  const content = () =>
    input.attachments.length === 0
      ? entity([...textHeaders(hp), ...innerHeaders], quotedPrintable(bodyText))
      : multipart(
          'mixed',
          hp,
          [textPart(), ...input.attachments.map((a) => attachmentEntity(a.fileName, a.contentType, bytesOf(a.bytes)))],
          innerHeaders,
        )

  let payload: Uint8Array | AsyncIterable<Uint8Array>
  const parts = () =>
    input.attachments.map((a) =>
      a.bytes instanceof Uint8Array
        ? attachmentEntity(a.fileName, a.contentType, a.bytes)
        : // the base64 encoder copies what it keeps of a chunk: two read buffers serve the whole file, one read ahead
          attachmentEntityChunks(a.fileName, a.contentType, sourceChunksAhead(a.bytes)),
    )
  if (technology && isEncrypted && isLarge && context.streaming && technology.encryptStream) {
    // For progress only: base64 adds a third plus line ends.
    const size = input.attachments.reduce((sum, a) => sum + Math.ceil(a.bytes.length / 57) * 78, 4096)
    const stream = multipartStream('mixed', hp, [textPart(), ...parts()], innerHeaders)
    payload = technology.encryptStream(stream, size, recipients, signer, context.now, context.streaming)
  } else if (technology && isEncrypted) payload = await technology.encrypt(content(), recipients, signer, context.now)
  else if (technology && signer && isLarge && context.streaming && technology.signStream) {
    // Signed only (a copy without end-to-end encryption): the attachment is read and hashed in chunks.
    payload = technology.signStream(
      multipartStream('mixed', hp, [textPart(), ...parts()], innerHeaders),
      signer,
      context.now,
    )
  } else if (technology && signer) payload = await technology.sign(content(), signer, context.now)
  else payload = content()

  const outer: HeaderList = isProtected
    ? fields.map(([name, value]) => [name, name === 'Subject' && isEncrypted ? neutralSubject : value] as const)
    : [...fields, ...privateFields]
  // Autocrypt announces the sender's own key, also on mail that is encrypted but not signed.
  const ownKey =
    signer ?? recipients.find((key) => key.hasSecret && key.emails.includes(input.from.toLowerCase())) ?? null
  const extra = ownKey && technology?.outerHeaders ? await technology.outerHeaders(ownKey, input.from) : []
  const head = [...outer, ['MIME-Version', '1.0'] as const, ...extra]
    .map(([name, value]) => headerLine(name, value))
    .join('')
  async function* chunks() {
    yield new TextEncoder().encode(head)
    if (payload instanceof Uint8Array) yield payload
    else yield* payload
  }
  return {
    chunks: chunks(),
    messageId,
    technology: technology && (isEncrypted || signer) ? technology.technology : null,
    encrypted: isEncrypted,
    signed: signer !== null,
    encryptedTo: recipients.map((r) => r.fingerprint),
    signedBy: signer?.fingerprint ?? null,
  }
}
