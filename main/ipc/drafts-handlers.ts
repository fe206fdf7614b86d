import { summarizeDraft } from '../core/drafts/draft-store.ts'
import type { DomainHandlers } from './dispatch.ts'
import type { RegistryDeps } from './handler-deps.ts'

export function draftsHandlers(deps: RegistryDeps): DomainHandlers<'drafts'> {
  return {
    'drafts:list': async () => (await (await deps.getDrafts()).list()).map(summarizeDraft),
  }
}
