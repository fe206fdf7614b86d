import { addAccountFromInput, summarizeAccount } from '../core/transport/account.ts'
import { checkAccount, type EndpointCheck } from '../core/transport/account-check.ts'
import { attempt } from '../core/transport/send.ts'
import { accountStoreOf, outboxEntryView, sendDepsOf, withOutbox } from '../core/transport/transport-profile.ts'
import type { DomainHandlers } from './dispatch.ts'
import { transportProfileOf, type RegistryDeps } from './handler-deps.ts'
import { mailWatchOf } from './mail-watch.ts'
import { reasonView } from './reason-view.ts'

const checkView = (check: EndpointCheck) =>
  check.ok ? { ok: true, tls: check.tls, reason: null } : { ok: false, tls: null, reason: reasonView(check.reason) }

/** Accounts and the Outbox: `accounts:*` and `outbox:*`, as the CLI's transport commands. */
export function transportHandlers(deps: RegistryDeps): DomainHandlers<'accounts' | 'outbox'> {
  const profile = () => transportProfileOf(deps)
  return {
    'accounts:list': async () => (await accountStoreOf(await profile()).list()).map(summarizeAccount),
    'accounts:add': async ({ password, ...input }) =>
      summarizeAccount(await addAccountFromInput(accountStoreOf(await profile()), input, password, deps.now())),
    'accounts:remove': async ({ name }) => {
      const removed = await accountStoreOf(await profile()).remove(name)
      await mailWatchOf(deps).forget(removed.name)
      return { name: removed.name }
    },
    'accounts:test': async ({ name }) => {
      const store = accountStoreOf(await profile())
      const account = await store.get(name)
      const check = await checkAccount(account, await store.password(account))
      const requiretls = check.smtp.ok ? (check.smtp.requiretls ?? null) : null
      return { account: check.account, smtp: { ...checkView(check.smtp), requiretls }, imap: checkView(check.imap) }
    },
    'outbox:list': async () =>
      withOutbox(await profile(), async (outbox) =>
        outbox.list().map((entry) => {
          const view = outboxEntryView(entry)
          return { ...view, reason: reasonView(view.reason) }
        }),
      ),
    'outbox:retry': async ({ outboxId }) => {
      const p = await profile()
      return withOutbox(p, async (outbox) => {
        const outcome = await attempt(sendDepsOf(p, outbox), outboxId)
        const { state, tls, append } = outcome
        return { outboxId: outcome.outboxId, state, reason: reasonView(outcome.reason), tls, sentCopy: append }
      })
    },
    'outbox:drop': async ({ outboxId }) =>
      withOutbox(await profile(), async (outbox) => (outbox.drop(outboxId), { outboxId })),
  }
}
