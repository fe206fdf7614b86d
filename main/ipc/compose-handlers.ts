import { summarizeDraft } from '../core/drafts/draft-store.ts'
import { planFor, sendDraft } from '../core/drafts/draft-send.ts'
import { SignatureStore } from '../core/drafts/signature-store.ts'
import type { MessagePlan } from '../core/message/recipient-plan.ts'
import { accountStoreOf } from '../core/transport/transport-profile.ts'
import type { DomainHandlers } from './dispatch.ts'
import { transportProfileOf, type RegistryDeps } from './handler-deps.ts'
import { reasonView } from './reason-view.ts'

const planView = (plan: MessagePlan) => ({
  recipients: plan.recipients.map((r) => ({
    address: r.address,
    field: r.field,
    protection: r.protection,
    reason: reasonView(r.reason),
    key: r.key
      ? {
          fingerprint: r.key.fingerprint,
          technology: r.key.technology,
          acceptance: r.key.acceptance,
          expires: r.key.expires,
        }
      : null,
    consent: r.consent
      ? { channel: r.consent.channel, by: r.consent.by, date: r.consent.date, target: r.consent.address }
      : null,
  })),
  messages: plan.copies.length,
})

/** The composer: `compose:*` — the core's plan and split send, attachments copied into the sealed draft by path. */
export function composeHandlers(deps: RegistryDeps): DomainHandlers<'compose'> {
  const profile = () => transportProfileOf(deps)
  return {
    'compose:plan': async ({ account, to, cc, bcc }) => {
      const p = await profile()
      // The sender's own keys count (end-to-end copies are also encrypted to the sender).
      const from = account === null ? '' : (await accountStoreOf(p).get(account)).email
      return planView(await planFor(p, { from, to, cc, bcc }))
    },
    'compose:send': async ({ id }) => {
      const { outcome } = await sendDraft(await profile(), await deps.getDrafts(), id, deps.tempDir)
      return {
        groupId: outcome.groupId,
        messages: outcome.messages.map((m) => ({
          outboxId: m.outboxId,
          recipients: m.recipients,
          protection: m.protection ?? null,
          state: m.state,
          reason: reasonView(m.reason),
        })),
        sentCopy: outcome.sentItem,
      }
    },
    'compose:attach': async ({ id, paths }) => {
      const drafts = await deps.getDrafts()
      await drafts.load(id) // an unknown draft fails before a dialog opens
      const chosen = paths ?? (await deps.chooseOpenPaths())
      const added = []
      for (const path of chosen) added.push(await drafts.attach(id, path))
      return { added, draft: summarizeDraft(await drafts.load(id)) }
    },
    'compose:detach': async ({ id, attachmentId }) =>
      summarizeDraft(await (await deps.getDrafts()).detach(id, attachmentId)),
    'compose:signature': async ({ account }) => ({
      text: await new SignatureStore(deps.transport.profileDir, await deps.getVault()).get(account),
    }),
    'compose:set-signature': async ({ account, text }) => ({
      text: await new SignatureStore(deps.transport.profileDir, await deps.getVault()).set(account, text),
    }),
  }
}
