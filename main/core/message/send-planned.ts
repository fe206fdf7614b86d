import { queueGroup, sendGroup, type GroupCopy, type GroupOutcome } from '../transport/send-group.ts'
import type { SendDeps } from '../transport/send.ts'
import { retryReleased } from '../transport/transport-profile.ts'
import { releasedBehind } from '../streaming/release.ts'
import type { ComposeContext } from './compose.ts'
import type { MessagePlan } from './recipient-plan.ts'
import { streamCopy, streamSentItem, type SplitInput } from './split-compose.ts'

export interface PlannedOutcome extends GroupOutcome {
  /** Container copies whose password was generated for this mail, by their recipients: shown once, stored nowhere. */
  containerPasswords: Map<string, string>
}

/**
 * The composer's chunks, each a new buffer that nothing else refers to (a worker's output moved here, a base64
 * encoder's lines), freed once the Outbox has sealed them into its file (it copies each before it asks for the next)
 * instead of at V8's next collection, which let tens of MiB of them pile up in this thread.
 */
async function* ownChunks(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* releasedBehind(
    (async function* () {
      yield* chunks
    })(),
  )
}

/**
 * Sending a planned mail (recipient-plan.ts): each copy of the plan composed and queued in the Outbox
 * as one group with the sender's Sent item, then every copy tried once through the Outbox (Zwangs-TLS,
 * the transport policy), and the entries released by crash recovery retried. `compose --send` and the
 * composer both send through here. The caller refuses a plan with blocked recipients first.
 */
export async function sendPlanned(
  deps: SendDeps,
  accountName: string,
  input: SplitInput,
  plan: MessagePlan,
  context: ComposeContext,
  messageId: string,
  onCopy?: Parameters<typeof sendGroup>[2],
): Promise<PlannedOutcome> {
  const containerPasswords = new Map<string, string>()
  async function* copies(): AsyncGenerator<GroupCopy> {
    for (const copy of plan.copies) {
      const composed = await streamCopy(input, copy, context, messageId)
      if (composed.containerPassword) containerPasswords.set(composed.recipients.join(','), composed.containerPassword)
      const consented = copy.protection === 'tls' ? copy.recipients : []
      yield {
        envelope: {
          from: input.from,
          recipients: composed.recipients,
          subject: input.subject,
          messageId,
          isEndToEnd: composed.encrypted && copy.protection !== 'container',
          protection: copy.protection,
          consents: consented.flatMap(({ address, consent: c }) =>
            c ? [{ recipient: address, target: c.address, channel: c.channel, by: c.by, date: c.date }] : [],
          ),
        },
        chunks: ownChunks(composed.chunks),
      }
    }
  }
  const sentItem = async () => ownChunks((await streamSentItem(input, plan, context, messageId)).chunks)
  const groupId = await queueGroup(deps, accountName, copies(), sentItem)
  const outcome = await sendGroup(deps, groupId, onCopy)
  await retryReleased(deps)
  return { ...outcome, containerPasswords }
}
