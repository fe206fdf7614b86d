import { z } from 'zod'
import { limits } from '../main/core/limits.ts'
import { ChannelSchema, ConsentSchema, TransmissionSchema } from '../main/core/policy/policy-schema.ts'

/**
 * The Mandanten page's channels: the consent register (record or change with history, the agreement letter,
 * the register as CSV or PDF) and a received password PDF opened in the app. Composed into contract.ts.
 * Files are written by main through the OS save dialog; PDF bytes, standing passwords and attachment bytes
 * never come back to the renderer.
 */

/** A domain (`mandant.de`) or an address (`a@mandant.de`). */
const Target = z.string().trim().min(1).max(320)
const Lang = z.enum(['de', 'en'])
/** An ISO date (`2027-06-30`) or date-time. */
const IsoDate = z.string().trim().min(10).max(40)

/** Why a standing password was refused (the core's check): the UI names the reason in words. */
export const WeakPasswordReasonSchema = z.enum(['too-short', 'too-weak', 'contains-date', 'repetitive'])
export type WeakPasswordReasonView = z.infer<typeof WeakPasswordReasonSchema>

/** Where a file went; `saved: false` when the user cancelled the save dialog. */
const SavedFile = z.object({ saved: z.boolean(), fileName: z.string() })

export const ConsentRecordRequestSchema = z.strictObject({
  target: Target,
  channel: ChannelSchema,
  by: z.string().trim().min(1).max(200),
  note: z.string().trim().min(1).max(1000).optional(),
  expires: IsoDate.optional(),
  /** A new standing password for password PDFs (channel container only). Travels in once; never returned. */
  password: z.string().min(1).max(limits.passphraseMaxChars).optional(),
  /** Keep the standing password already stored for this target (channel container, no new password). */
  keepPassword: z.boolean().optional(),
  transmitted: TransmissionSchema.optional(),
  transmittedOn: IsoDate.optional(),
})
export type ConsentRecordRequest = z.infer<typeof ConsentRecordRequestSchema>

/** A received password PDF the user picked in main's open dialog; its bytes stay in main. */
const ContainerId = z.strictObject({ containerId: z.uuid() })
export const OpenedContainerSchema = z.object({
  from: z.string(),
  date: z.string(),
  subject: z.string(),
  text: z.string(),
  attachments: z.array(
    z.object({
      index: z.number().int(),
      filename: z.string(),
      contentType: z.string(),
      size: z.number().int(),
      sha256: z.string(),
    }),
  ),
})
export type OpenedContainerView = z.infer<typeof OpenedContainerSchema>

export const consentChannels = {
  /** The register with its history (every entry, superseded ones marked `current: false`). */
  'consent:list': { req: z.undefined(), res: z.array(ConsentSchema) },
  /**
   * Records or changes a client's consent (a new entry; the earlier ones stay). A standing password the core
   * refuses is answered with `refused` and nothing is stored.
   */
  'consent:record': {
    req: ConsentRecordRequestSchema,
    res: z.object({ refused: WeakPasswordReasonSchema.nullable(), consents: z.array(ConsentSchema) }),
  },
  /** The agreement the client signs (PDF, German and English), saved where the user chooses. */
  'consent:letter': { req: z.strictObject({ target: Target }), res: SavedFile },
  /** The register with its history as CSV (spreadsheet-safe) or as a PDF report in `lang`. */
  'consent:export': { req: z.strictObject({ format: z.enum(['csv', 'pdf']), lang: Lang }), res: SavedFile },
} as const

export const containerChannels = {
  /** Main's open dialog for a .pdf; null `containerId` when the user cancelled. */
  'container:choose': { req: z.undefined(), res: z.object({ containerId: z.uuid().nullable(), fileName: z.string() }) },
  /** Opens the chosen password PDF with the password; the attachments stay in main until `container:close`. */
  'container:open': {
    req: ContainerId.extend({ password: z.string().min(1).max(limits.passphraseMaxChars) }),
    res: OpenedContainerSchema,
  },
  /** Saves one enclosed file (checked by SHA-256 when opened) where the user chooses. */
  'container:save-attachment': { req: ContainerId.extend({ index: z.number().int().min(0) }), res: SavedFile },
  /** Forgets the chosen file and its opened content. */
  'container:close': { req: ContainerId, res: z.object({}) },
} as const
