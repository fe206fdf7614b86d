import { z } from 'zod'

/**
 * A draft as the UI lists and loads it: attachments by name and size only (their bytes stay in main).
 * Plain schema, no Node imports: preload/contract.ts composes it into the IPC contract.
 */
export const DraftSummarySchema = z.object({
  id: z.uuid(),
  createdAt: z.string(),
  updatedAt: z.string(),
  account: z.string().nullable(),
  from: z.string(),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  bcc: z.array(z.string()),
  subject: z.string(),
  body: z.string(),
  sign: z.boolean(),
  attachments: z.array(
    z.object({ id: z.string(), fileName: z.string(), contentType: z.string(), size: z.number().int() }),
  ),
})
export type DraftSummary = z.infer<typeof DraftSummarySchema>
