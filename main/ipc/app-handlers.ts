import type { DomainHandlers } from './dispatch.ts'
import type { RegistryDeps } from './handler-deps.ts'

export function appHandlers(deps: RegistryDeps): DomainHandlers<'app'> {
  return {
    'app:info': async () => deps.appInfo,
  }
}
