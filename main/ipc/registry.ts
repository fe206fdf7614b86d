import { appHandlers } from './app-handlers.ts'
import { consentHandlers } from './consent-handlers.ts'
import { containerHandlers } from './container-handlers.ts'
import { composeHandlers } from './compose-handlers.ts'
import type { Handlers } from './dispatch.ts'
import { draftsHandlers } from './drafts-handlers.ts'
import type { RegistryDeps } from './handler-deps.ts'
import { keysHandlers } from './keys-handlers.ts'
import { mailHandlers } from './mail-handlers.ts'
import { mailboxHandlers } from './mailbox-handlers.ts'
import { policyHandlers } from './policy-handlers.ts'
import { transportHandlers } from './transport-handlers.ts'
import { vaultHandlers } from './vault-handlers.ts'

export { lazyVault, type RegistryDeps, type SaveRequest } from './handler-deps.ts'

/**
 * The handler registry: one plain async function per contract channel, built from the core. Each
 * domain's handlers live in `<domain>-handlers.ts` (as main/cli/<domain>-commands.ts); a new domain
 * adds its line here. The type fails to compile while a channel has no handler.
 */
export function createHandlers(deps: RegistryDeps): Handlers {
  return {
    ...appHandlers(deps),
    ...keysHandlers(deps),
    ...vaultHandlers(deps),
    ...transportHandlers(deps),
    ...policyHandlers(deps),
    ...draftsHandlers(deps),
    ...mailHandlers(deps),
    ...mailboxHandlers(deps),
    ...consentHandlers(deps),
    ...containerHandlers(deps),
    ...composeHandlers(deps),
  }
}
