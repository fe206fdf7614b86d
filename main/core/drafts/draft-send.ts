import { tmpdir } from 'node:os'
import { SiegelpostError } from '../errors/index.ts'
import type { ByteSource } from '../mime/byte-source.ts'
import { newMessageId, type ComposeContext } from '../message/compose.ts'
import { planMessage, type MessagePlan } from '../message/recipient-plan.ts'
import { sendPlanned, type PlannedOutcome } from '../message/send-planned.ts'
import { generateContainerPassword } from '../container/password.ts'
import { recipientsWithoutEndToEnd } from '../message/reply.ts'
import { ClientPasswordStore } from '../policy/client-passwords.ts'
import { messageTechnologies } from '../message/technologies.ts'
import {
  accountStoreOf,
  policyStoreOf,
  sendDepsOf,
  withOutbox,
  type TransportProfile,
} from '../transport/transport-profile.ts'
import type { DraftStore } from './draft-store.ts'

/**
 * The composer's two questions to the core: what each recipient of a draft would get (the one
 * per-recipient decision, recipient-plan.ts) and "send this draft" (split sending through the Outbox,
 * as `compose --send`). Nothing here decides on its own; the draft is removed once its copies are queued.
 */
export interface PlanFields {
  from: string
  to: readonly string[]
  cc: readonly string[]
  bcc: readonly string[]
}

export async function planFor(profile: TransportProfile, fields: PlanFields): Promise<MessagePlan> {
  const policy = await policyStoreOf(profile).load()
  const request = { from: fields.from, to: fields.to, cc: fields.cc, bcc: fields.bcc, mode: 'auto' as const }
  return planMessage(request, {
    keys: profile.vault.contents.keys,
    technologies: messageTechnologies,
    policy,
    now: profile.now(),
  })
}

export interface DraftSendResult {
  plan: MessagePlan
  /** The sender: the account's address. */
  from: string
  /** With the container copies' generated passwords, by their recipients: to be shown once, stored nowhere. */
  outcome: PlannedOutcome
}

/**
 * How each container recipient's password PDF is locked: a password generated for this mail, or the client's
 * standing password kept in the vault. A recipient not named gets the standing password when one is kept.
 */
export type ContainerPasswordChoice = 'generate' | 'standing'

export async function sendDraft(
  profile: TransportProfile,
  drafts: DraftStore,
  id: string,
  tempDir = tmpdir(),
  choices: Readonly<Record<string, ContainerPasswordChoice>> = {},
): Promise<DraftSendResult> {
  const draft = await drafts.load(id)
  if (draft.account === null) throw new SiegelpostError('DRAFT_NO_ACCOUNT')
  // The sender is the account's address, whatever the draft says.
  const account = await accountStoreOf(profile).get(draft.account)
  const from = account.email.toLowerCase()
  const lower = (list: readonly string[]) => list.map((a) => a.trim().toLowerCase()).filter((a) => a !== '')
  const fields = { from, to: lower(draft.to), cc: lower(draft.cc), bcc: lower(draft.bcc) }
  if (fields.to.length + fields.cc.length + fields.bcc.length === 0) throw new SiegelpostError('DRAFT_NO_RECIPIENT')
  const plan = await planFor(profile, fields)
  if (plan.blocked.length > 0)
    throw new SiegelpostError('DRAFT_RECIPIENTS_BLOCKED', { addresses: plan.blocked.map((r) => r.address).join(', ') })
  const reply = draft.reply
  const withoutEndToEnd = recipientsWithoutEndToEnd(plan, reply)
  if (withoutEndToEnd.length > 0)
    throw new SiegelpostError('FORWARD_NEEDS_END_TO_END', { addresses: withoutEndToEnd.join(', ') })
  // Each container recipient's password, decided before anything is queued: the standing one asked for must
  // exist; a generated one is made per recipient and per mail and leaves only in the outcome, to be shown once.
  const passwords = new ClientPasswordStore(profile.profileDir, profile.vault)
  const chosen = new Map<string, { password: string; generated: boolean }>()
  for (const copy of plan.copies.filter((c) => c.protection === 'container')) {
    const address = copy.recipients[0]!.address
    const standing = await passwords.get(address)
    const choice = choices[address] ?? (standing === null ? 'generate' : 'standing')
    if (choice === 'standing' && standing === null)
      throw new SiegelpostError('DRAFT_CONTAINER_NO_STANDING_PASSWORD', { address })
    chosen.set(
      address,
      choice === 'standing'
        ? { password: standing!, generated: false }
        : { password: generateContainerPassword(), generated: true },
    )
  }
  const sources: (ByteSource & { close(): void })[] = []
  try {
    for (const attachment of draft.attachments) sources.push(await drafts.openAttachment(draft, attachment.id))
    const attachments = draft.attachments.map((a, i) => ({
      fileName: a.fileName,
      contentType: a.contentType,
      bytes: sources[i]!,
    }))
    const input = {
      ...fields,
      subject: draft.subject,
      body: draft.body,
      attachments,
      sign: draft.sign ? undefined : false,
      ...(reply
        ? {
            inReplyTo: reply.inReplyTo,
            references: reply.references,
            reply: {
              kind: reply.kind,
              quote: reply.quote,
              note: reply.note,
              isEndToEndOnly: reply.isEndToEndOnly,
              subjectWithoutEndToEnd: reply.subjectWithoutEndToEnd,
            },
          }
        : {}),
    }
    const context: ComposeContext = {
      keys: profile.vault.contents.keys,
      now: profile.now(),
      technologies: messageTechnologies,
      streaming: { tempDir },
      containerPassword: async (address) => chosen.get(address)!,
    }
    const messageId = newMessageId(from)
    const outcome = await withOutbox(profile, (outbox) =>
      sendPlanned(sendDepsOf(profile, outbox), draft.account!, input, plan, context, messageId),
    )
    await drafts.delete(id)
    return { plan, from, outcome }
  } finally {
    for (const source of sources) source.close()
  }
}
