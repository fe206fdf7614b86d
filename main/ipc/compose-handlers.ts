import { summarizeDraft } from '../core/drafts/draft-store.ts'
import { planFor, sendDraft } from '../core/drafts/draft-send.ts'
import { SignatureStore } from '../core/drafts/signature-store.ts'
import type { MessagePlan } from '../core/message/recipient-plan.ts'
import { accountStoreOf } from '../core/transport/transport-profile.ts'
import type { DomainHandlers } from './dispatch.ts'
import { transportProfileOf, type RegistryDeps } from './handler-deps.ts'
import { reasonView } from './reason-view.ts'
import { ClientPasswordStore } from '../core/policy/client-passwords.ts'
import { composePasswordHandlers, GeneratedPasswords } from './compose-password-handlers.ts'

type StandingView = { target: string; date: string; transmitted: string | null; transmittedOn: string | null }

const planView = (plan: MessagePlan, standing: ReadonlyMap<string, StandingView>) => ({
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
    standingPassword: standing.get(r.address) ?? null,
  })),
  messages: plan.copies.length,
})

/** The composer: `compose:*` — the core's plan and split send, attachments copied into the sealed draft by path. */
export function composeHandlers(deps: RegistryDeps): DomainHandlers<'compose'> {
  const profile = () => transportProfileOf(deps)
  const generated = new GeneratedPasswords()
  return {
    'compose:plan': async ({ account, to, cc, bcc }) => {
      const p = await profile()
      // The sender's own keys count (end-to-end copies are also encrypted to the sender).
      const from = account === null ? '' : (await accountStoreOf(p).get(account)).email
      const plan = await planFor(p, { from, to, cc, bcc })
      // Whether a standing password is kept for each container recipient (never the password itself).
      const passwords = new ClientPasswordStore(p.profileDir, p.vault)
      const standing = new Map<string, StandingView>()
      for (const r of plan.recipients.filter((r) => r.protection === 'container')) {
        const kept = await passwords.applying(r.address)
        if (kept === null) continue
        const handed = r.consent?.hasPassword ? r.consent : null
        standing.set(r.address, {
          ...kept,
          transmitted: handed?.transmitted ?? null,
          transmittedOn: handed?.transmittedOn ?? null,
        })
      }
      return planView(plan, standing)
    },
    'compose:send': async ({ id, passwords }) => {
      const p = await profile()
      const { outcome, from } = await sendDraft(p, await deps.getDrafts(), id, deps.tempDir, passwords ?? {})
      const sentAt = deps.now()
      // A generated password leaves main only through compose:password-show, once.
      const passwordIdOf = (recipients: string[]) => {
        const password = outcome.containerPasswords.get(recipients.join(','))
        return password === undefined
          ? null
          : generated.keep({ recipient: recipients.join(', '), from, sentAt, password })
      }
      return {
        groupId: outcome.groupId,
        messages: outcome.messages.map((m) => ({
          outboxId: m.outboxId,
          recipients: m.recipients,
          protection: m.protection ?? null,
          state: m.state,
          reason: reasonView(m.reason),
          passwordId: passwordIdOf(m.recipients),
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
    ...composePasswordHandlers(deps, generated),
  }
}
