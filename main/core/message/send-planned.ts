import { queueGroup, sendGroup, type GroupCopy, type GroupOutcome } from '../transport/send-group.ts'
import type { SendDeps } from '../transport/send.ts'
import { retryReleased } from '../transport/transport-profile.ts'
import type { ComposeContext } from './compose.ts'
import type { MessagePlan } from './recipient-plan.ts'
import { composeCopy, composeSentItem, type SplitInput } from './split-compose.ts'

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
): Promise<GroupOutcome> {
  async function* copies(): AsyncGenerator<GroupCopy> {
    for (const copy of plan.copies) {
      const composed = await composeCopy(input, copy, context, messageId)
      const consent = copy.protection === 'tls' ? copy.recipients[0]!.consent : null
      yield {
        envelope: {
          from: input.from,
          recipients: composed.recipients,
          subject: input.subject,
          messageId,
          isEndToEnd: composed.encrypted,
          protection: copy.protection,
          consent: consent ? { target: consent.address, channel: consent.channel, by: consent.by, date: consent.date } : null,
        },
        bytes: composed.bytes,
      }
    }
  }
  const sentItem = async () => (await composeSentItem(input, plan, context, messageId)).bytes
  const groupId = await queueGroup(deps, accountName, copies(), sentItem)
  const outcome = await sendGroup(deps, groupId)
  await retryReleased(deps)
  return outcome
}
