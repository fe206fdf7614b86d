import { policyView } from '../core/policy/policy-schema.ts'
import { policyStoreOf, previewPolicy } from '../core/transport/transport-profile.ts'
import type { DomainHandlers } from './dispatch.ts'
import { transportProfileOf, type RegistryDeps } from './handler-deps.ts'
import { reasonView } from './reason-view.ts'

/** The transport policy (Zwangs-TLS): `policy:*`, as the CLI's policy commands. */
export function policyHandlers(deps: RegistryDeps): DomainHandlers<'policy'> {
  const store = async () => policyStoreOf(await transportProfileOf(deps))
  return {
    'policy:show': async () => policyView(await (await store()).load()),
    'policy:set-requiretls': async ({ value }) => policyView(await (await store()).setRequireTls(value)),
    'policy:rule': async ({ target, require, by, note }) =>
      policyView(await (await store()).addRule({ target, require, by: by ?? null, note: note ?? null }, deps.now())),
    'policy:tls-exception': async ({ target, reason, by, expires }) =>
      policyView(await (await store()).addTlsException({ target, reason, by, expires: expires ?? null }, deps.now())),
    'policy:consent': async ({ address, channel, by, note }) =>
      policyView(await (await store()).addConsent({ address, channel, by, note: note ?? null }, deps.now())),
    'policy:decide': async ({ account, recipients, isEndToEnd }) => {
      const request = { account: account ?? null, recipients, isEndToEnd }
      const decision = await previewPolicy(await transportProfileOf(deps), request)
      return {
        decision: decision.decision,
        held: reasonView(decision.held),
        recipients: decision.recipients.map((r) => ({ ...r, reasons: r.reasons.map((reason) => reasonView(reason)) })),
      }
    },
  }
}
