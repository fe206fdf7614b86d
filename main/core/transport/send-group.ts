import type { Account } from './account.ts'
import type { OutboxEnvelope, OutboxOutcome } from './outbox.ts'
import { appendGroupSentItem, attempt, type SendDeps, type SendOutcome } from './send.ts'

/**
 * Split sending: the copies of one mail (one per recipient group, compose --send) go into the Outbox as
 * one group before the first of them is tried. The group is written in two steps — the copies while it
 * is `preparing` (none of them can be sent), then `ready` together with the sender's item for Sent — so
 * a process that dies at any point leaves either no sendable copy or all of them. After that each copy
 * is an ordinary Outbox entry: a crash between copies leaves the rest queued for the next run (crash
 * recovery), and one that was being transferred is held as "possibly sent", never sent twice.
 */
export interface GroupCopy {
  envelope: Omit<OutboxEnvelope, 'account'>
  /** The copy as the composer produces it: written to the Outbox chunk by chunk, never held whole. */
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>
}

export interface GroupOutcome {
  groupId: string
  messages: (SendOutcome & { recipients: string[]; protection: OutboxEnvelope['protection'] })[]
  /** The group's one Sent item: appended (ok/failed), or null when no copy went out yet. */
  sentItem: OutboxOutcome['append']
}

/** Writes the copies as they are composed, then makes the group ready with its Sent item; returns the group id. */
export async function queueGroup(
  deps: SendDeps,
  accountName: string,
  copies: AsyncIterable<GroupCopy>,
  sentItem: () => Promise<AsyncIterable<Uint8Array> | Iterable<Uint8Array>>,
): Promise<string> {
  await deps.account(accountName) // an unknown account is a usage error, not an Outbox entry
  const groupId = deps.outbox.beginGroup()
  try {
    for await (const copy of copies)
      await deps.outbox.createFrom({ account: accountName, ...copy.envelope }, copy.chunks, groupId)
    await deps.outbox.finishGroupFrom(groupId, await sentItem())
  } catch (error) {
    deps.outbox.discardGroup(groupId)
    throw error
  }
  return groupId
}

/**
 * Tries every copy of a ready group once, and appends the group's Sent item as soon as one copy went out: over IMAP
 * while the other copies go over SMTP (two servers, two connections; the item's file stays until it is in Sent, and
 * a run that dies meanwhile leaves it due for the next, which asks Sent first). `onCopy` hears about each copy as it
 * is done (progress: copy n of total).
 */
export async function sendGroup(
  deps: SendDeps,
  groupId: string,
  onCopy?: (done: number, total: number, message: GroupOutcome['messages'][number]) => void,
): Promise<GroupOutcome> {
  const messages: GroupOutcome['messages'] = []
  const entries = deps.outbox.group(groupId).entries
  // Settles with the append's outcome, never rejects (a failure is its outcome).
  let sentItem: Promise<OutboxOutcome['append']> | null = null
  try {
    for (const id of entries) {
      const { envelope } = deps.outbox.get(id)
      const outcome = await attempt(deps, id, { deferSentItem: true })
      messages.push({ ...outcome, recipients: envelope.recipients, protection: envelope.protection })
      onCopy?.(messages.length, entries.length, messages.at(-1)!)
      if (outcome.state === 'sent') sentItem ??= appendSentItem(deps, groupId, envelope.account)
    }
  } finally {
    // However the copies ended, the run waits for the APPEND it started.
    await sentItem
  }
  return { groupId, messages, sentItem: await (sentItem ?? null) }
}

async function appendSentItem(deps: SendDeps, groupId: string, accountName: string): Promise<OutboxOutcome['append']> {
  try {
    const account: Account = await deps.account(accountName)
    return await appendGroupSentItem(deps, groupId, account, await deps.password(account))
  } catch {
    return { state: 'failed', detail: 'account' }
  }
}
