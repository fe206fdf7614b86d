import { summarizeDraft } from '../core/drafts/draft-store.ts'
import type { DomainHandlers } from './dispatch.ts'
import type { RegistryDeps } from './handler-deps.ts'

/** The profile's mail drafts (sealed): list, load, save (autosave too), delete. */
export function draftsHandlers(deps: RegistryDeps): DomainHandlers<'drafts'> {
  const drafts = () => deps.getDrafts()
  return {
    'drafts:list': async () => (await (await drafts()).list()).map(summarizeDraft),
    'drafts:load': async ({ id }) => summarizeDraft(await (await drafts()).load(id)),
    'drafts:save': async ({ id, fields }) => summarizeDraft(await (await drafts()).save(id, fields)),
    'drafts:delete': async ({ id }) => (await (await drafts()).delete(id), { id }),
  }
}
