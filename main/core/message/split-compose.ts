import { SiegelpostError } from '../errors/index.ts'
import type { StoredKey } from '../keys/stored-key.ts'
import { concatBytes, type HeaderList } from '../mime/build.ts'
import {
  buildMessageStream,
  type BuildPlan,
  type ComposeContext,
  type ComposeInput,
  type ComposeSummary,
} from './compose.ts'
import {
  technologyLabel,
  type CopyPlan,
  type EndToEnd,
  type MessagePlan,
  type RecipientPlan,
} from './recipient-plan.ts'
import { bodyWithQuote, type ReplyContent } from './reply.ts'
import type { MessageTechnology } from './technology.ts'

/**
 * The messages of one mail after the per-recipient plan (recipient-plan.ts): one per copy of the plan,
 * and the sender's own item for Sent. Every copy carries the same visible To and Cc (never a Bcc
 * field); an end-to-end copy is encrypted to its recipients and to the sender; a copy without
 * end-to-end encryption is signed with a detached S/MIME signature when the sender has a certificate
 * (an OpenPGP signature is a puzzling attachment to a client without software), else left unsigned.
 */
export interface SplitInput extends Omit<ComposeInput, 'encrypt'> {
  bcc: readonly string[]
  /** A reply or forward: its quote goes only into copies the original's protection allows (reply.ts). */
  reply?: ReplyContent
}

/**
 * The input of one copy: a reply's quote (a forward's content) where the copy's protection allows it,
 * else the note and a neutral subject; a forward of an encrypted mail is never composed without
 * end-to-end encryption (the plan is refused before, this is the last wall).
 */
function inputFor(input: SplitInput, protection: CopyPlan['protection']): SplitInput {
  const { reply } = input
  if (!reply) return input
  const isEndToEnd = protection === 'smime' || protection === 'openpgp'
  if (reply.isEndToEndOnly && !isEndToEnd && reply.kind === 'forward')
    throw new SiegelpostError('FORWARD_NEEDS_END_TO_END', { addresses: input.to.join(', ') })
  const body = bodyWithQuote(input.body, reply, isEndToEnd)
  const subject = reply.isEndToEndOnly && !isEndToEnd ? reply.subjectWithoutEndToEnd : input.subject
  return { ...input, body, subject }
}

export interface ComposedCopy extends ComposeSummary {
  protection: CopyPlan['protection']
  /** The envelope recipients of this copy (RCPT TO). */
  recipients: string[]
  bytes: Buffer
  /** A container copy's newly generated password: shown once to the sender, never stored or sent. */
  containerPassword?: string
}

/** The header field in the sender's own item that says what one recipient got. */
export const deliveryField = 'Siegelpost-Delivery'

const technologyOf = (context: ComposeContext, name: EndToEnd): MessageTechnology => {
  const technology = context.technologies.find((t) => t.technology === name)
  if (!technology) throw new SiegelpostError('MESSAGE_MODE_UNSUPPORTED', { mode: name })
  return technology
}

/** The sender's signing key of that technology; `--sign` without one is an error, by default it is simply unsigned. */
function signerOf(
  input: SplitInput,
  technology: MessageTechnology,
  context: ComposeContext,
  isRequired: boolean,
): StoredKey | null {
  if (input.sign === false) return null
  const key = technology.keyFor(context.keys, input.from, 'sign', context.now)
  if (!key && isRequired && input.sign === true) {
    throw new SiegelpostError('COMPOSE_NO_SIGNER', {
      address: input.from,
      technology: technologyLabel(technology.technology),
    })
  }
  return key
}

async function stream(
  input: SplitInput,
  plan: BuildPlan,
  context: ComposeContext,
  messageId: string,
  privateFields: HeaderList = [],
) {
  return buildMessageStream({ ...input, encrypt: 'auto' }, plan, context, { messageId, privateFields })
}

async function collect(
  input: SplitInput,
  plan: BuildPlan,
  context: ComposeContext,
  messageId: string,
  privateFields: HeaderList = [],
) {
  const { chunks, ...summary } = await stream(input, plan, context, messageId, privateFields)
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  const bytes = concatBytes(parts)
  return { summary, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) }
}

/** The plan of one copy: whom it is encrypted to (its recipients and the sender) and who signs it. */
function buildPlanOf(input: SplitInput, copy: CopyPlan, context: ComposeContext): BuildPlan {
  if (copy.protection === 'container') throw new SiegelpostError('MESSAGE_MODE_UNSUPPORTED', { mode: 'container' })
  if (copy.protection === 'tls') {
    const smime = technologyOf(context, 'smime')
    const signer = signerOf(input, smime, context, true)
    return { technology: signer ? smime : null, recipients: [], signer }
  }
  const technology = technologyOf(context, copy.protection)
  const own = technology.keyFor(context.keys, input.from, 'encrypt', context.now)
  // The plan only chooses a technology the sender has an own key of; a vault changed in between is refused.
  if (!own)
    throw new SiegelpostError('RECIPIENT_OWN_KEY_MISSING', {
      address: copy.recipients[0]!.address,
      from: input.from,
      technology: technologyLabel(copy.protection),
    })
  const keys: StoredKey[] = []
  for (const key of [...copy.recipients.map((r) => r.key!), own])
    if (!keys.some((k) => k.fingerprint === key.fingerprint)) keys.push(key)
  return { technology, recipients: keys, signer: signerOf(input, technology, context, true) }
}

/**
 * A container copy: the text and the attachments in a password PDF of its own (one recipient, one password),
 * carried by a mail that says only how to open it (container/carrier.ts). Its visible To is that recipient alone.
 */
async function composeContainerCopy(input: SplitInput, copy: CopyPlan, context: ComposeContext, messageId: string) {
  const recipient = copy.recipients[0]!.address
  if (!context.containerPassword) throw new SiegelpostError('MESSAGE_MODE_UNSUPPORTED', { mode: 'container' })
  const { password, generated } = await context.containerPassword(recipient)
  const files = input.attachments.map((a) => ({
    fileName: a.fileName,
    contentType: a.contentType,
    bytes: a.bytes instanceof Uint8Array ? a.bytes : a.bytes.read(0, a.bytes.length),
  }))
  const carrier = {
    from: input.from,
    to: [recipient],
    cc: [],
    subject: input.subject,
    body: input.body,
    files,
    now: context.now,
    messageId,
  }
  // pdf-lib loads with the first container, not with every compose.
  const { composeCarrierMail } = await import('../container/carrier.ts')
  const mail = await composeCarrierMail(carrier, password)
  const composed: ComposedCopy = {
    messageId,
    technology: null,
    encrypted: true,
    signed: false,
    encryptedTo: [],
    signedBy: null,
    protection: 'container',
    recipients: [recipient],
    bytes: Buffer.from(mail.bytes.buffer, mail.bytes.byteOffset, mail.bytes.byteLength),
  }
  return generated ? { ...composed, containerPassword: password } : composed
}

export async function composeCopy(
  input: SplitInput,
  copy: CopyPlan,
  context: ComposeContext,
  messageId: string,
): Promise<ComposedCopy> {
  input = inputFor(input, copy.protection)
  if (copy.protection === 'container') return composeContainerCopy(input, copy, context, messageId)
  const { summary, bytes } = await collect(input, buildPlanOf(input, copy, context), context, messageId)
  return { ...summary, protection: copy.protection, recipients: copy.recipients.map((r) => r.address), bytes }
}

/** A copy as its chunks come from the composer (large mail: from its worker), for the Outbox to write as they come. */
export interface StreamedCopy extends Omit<ComposedCopy, 'bytes'> {
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>
}

export async function streamCopy(
  input: SplitInput,
  copy: CopyPlan,
  context: ComposeContext,
  messageId: string,
): Promise<StreamedCopy> {
  input = inputFor(input, copy.protection)
  if (copy.protection === 'container') {
    const { bytes, ...composed } = await composeContainerCopy(input, copy, context, messageId)
    return { ...composed, chunks: [bytes] }
  }
  const { chunks, ...summary } = await stream(input, buildPlanOf(input, copy, context), context, messageId)
  return { ...summary, protection: copy.protection, recipients: copy.recipients.map((r) => r.address), chunks }
}

/** One line per recipient in the sender's own item: field, protection, key or consent. */
export function deliveryLine(recipient: RecipientPlan): string {
  const parts = [recipient.address, `field=${recipient.field}`, `protection=${recipient.protection}`]
  if (recipient.key) parts.push(`key=${recipient.key.fingerprint}`)
  if (recipient.protection === 'tls' && recipient.consent) {
    parts.push(
      `consent=${recipient.consent.channel}`,
      `consent-target=${recipient.consent.address}`,
      `consent-date=${recipient.consent.date.slice(0, 10)}`,
    )
  }
  return parts.join('; ')
}

/**
 * The one item for Sent: the content with every recipient (Bcc included) and what each got, encrypted
 * to the sender only — S/MIME when the sender has a certificate, else OpenPGP. A sender with neither
 * (possible only when every recipient gets TLS by consent) gets it unencrypted, as it went out.
 */
export async function streamSentItem(
  input: SplitInput,
  plan: MessagePlan,
  context: ComposeContext,
  messageId: string,
): Promise<StreamedCopy> {
  const sent = plan.recipients.filter((r) => r.protection !== 'blocked')
  const bcc = sent.filter((r) => r.field === 'bcc').map((r) => r.address)
  const privateFields: HeaderList = [
    ...(bcc.length ? ([['Bcc', bcc.join(', ')]] as const) : []),
    ...sent.map((r) => [deliveryField, deliveryLine(r)] as const),
  ]
  let buildPlan: BuildPlan = { technology: null, recipients: [], signer: null }
  for (const name of ['smime', 'openpgp'] as const) {
    const technology = context.technologies.find((t) => t.technology === name)
    const own = technology?.keyFor(context.keys, input.from, 'encrypt', context.now)
    if (technology && own) {
      buildPlan = { technology, recipients: [own], signer: signerOf(input, technology, context, false) }
      break
    }
  }
  const own = inputFor(input, buildPlan.recipients.length > 0 ? buildPlan.technology!.technology : 'tls')
  const { chunks, ...summary } = await stream(own, buildPlan, context, messageId, privateFields)
  return {
    ...summary,
    protection: buildPlan.technology ? buildPlan.technology.technology : 'tls',
    recipients: [input.from],
    chunks,
  }
}

export async function composeSentItem(
  input: SplitInput,
  plan: MessagePlan,
  context: ComposeContext,
  messageId: string,
): Promise<ComposedCopy> {
  const { chunks, ...item } = await streamSentItem(input, plan, context, messageId)
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  const bytes = concatBytes(parts)
  return { ...item, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) }
}
