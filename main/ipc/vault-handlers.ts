import type { DomainHandlers } from './dispatch.ts'
import type { RegistryDeps } from './handler-deps.ts'

export function vaultHandlers(deps: RegistryDeps): DomainHandlers<'vault'> {
  return {
    'vault:status': async () => (await deps.getVault()).info(),
  }
}
