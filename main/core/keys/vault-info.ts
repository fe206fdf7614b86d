import { z } from 'zod'

/**
 * The vault as `vault status` and the UI show it: where it is, how it is unlocked, which saved
 * generation is open and how many keys it holds. Plain schema, no Node imports: preload/contract.ts
 * composes it into the IPC contract.
 */
export const VaultInfoSchema = z.object({
  mode: z.enum(['keychain', 'passphrase']),
  path: z.string(),
  generation: z.number().int(),
  savedAt: z.string(),
  keyCount: z.number().int(),
})
export type VaultInfo = z.infer<typeof VaultInfoSchema>
