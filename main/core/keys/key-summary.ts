import { z } from 'zod'

/**
 * A key or certificate as the CLI (`keys list --json`) and the UI see it: no key material.
 * Plain schema, no Node imports: preload/contract.ts composes it into the IPC contract.
 */
export const KeySummarySchema = z.object({
  id: z.string(),
  fingerprint: z.string(),
  technology: z.enum(['openpgp', 'smime']),
  name: z.string(),
  emails: z.array(z.string()),
  hasSecret: z.boolean(),
  acceptance: z.enum(['verified', 'unverified']),
  created: z.string(),
  expires: z.string().nullable(),
  status: z.enum(['valid', 'expired', 'revoked', 'unusable']),
  usage: z.array(z.string()),
})
export type KeySummary = z.infer<typeof KeySummarySchema>
