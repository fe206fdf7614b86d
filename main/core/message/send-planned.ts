import { queueGroup, sendGroup, type GroupCopy, type GroupOutcome } from '../transport/send-group.ts'
import type { SendDeps } from '../transport/send.ts'
import { retryReleased } from '../transport/transport-profile.ts'
import type { ComposeContext } from './compose.ts'
import type { MessagePlan } from './recipient-plan.ts'
import { streamCopy, streamSentItem, type SplitInput } from './split-compose.ts'

export interface PlannedOutcome extends GroupOutcome {
  /** Container copies whose password was generated for this mail, by their recipients: shown once, stored nowhere. */
  containerPasswords: Map<string, string>
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
        chunks: composed.chunks,
      }
    }
  }
  const sentItem = async () => (await streamSentItem(input, plan, context, messageId)).chunks
  const groupId = await queueGroup(deps, accountName, copies(), sentItem)
  const outcome = await sendGroup(deps, groupId, onCopy)
  await retryReleased(deps)
  return { ...outcome, containerPasswords }
}
