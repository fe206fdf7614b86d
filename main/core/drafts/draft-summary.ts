import { z } from 'zod'

/**
 * A draft as the UI lists and loads it: attachments by name and size only (their bytes stay in main).
 * Plain schema, no Node imports: preload/contract.ts composes it into the IPC contract.
 */
/**
 * A reply's or forward's quote as the draft keeps it (core/message/reply.ts): shown in the composer
 * as it is, never edited there, and put only into the copies the original's protection allows.
 */
export const DraftReplySchema = z.object({
  kind: z.enum(['reply', 'forward']),
  quote: z.string(),
  note: z.string(),
  isEndToEndOnly: z.boolean(),
  subjectWithoutEndToEnd: z.string(),
  inReplyTo: z.string().nullable(),
  references: z.array(z.string()),
  /** An HTML part hid text in a way that cannot be told for sure, so it is not in the quote. */
  isHtmlLeftOut: z.boolean().optional(),
})
export type DraftReply = z.infer<typeof DraftReplySchema>

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
  /** Only on a reply or forward (drafts without it are ordinary mail). */
  reply: DraftReplySchema.optional(),
  attachments: z.array(
    z.object({ id: z.string(), fileName: z.string(), contentType: z.string(), size: z.number().int() }),
  ),
})
export type DraftSummary = z.infer<typeof DraftSummarySchema>
