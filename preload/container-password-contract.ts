import { z } from 'zod'
import { limits } from '../main/core/limits.ts'
import { OpenedContainerSchema } from './consent-contract.ts'

/**
 * The password PDF's channels outside the Mandanten page: the composer's generated passwords after a send
 * (shown once, copied through main's clipboard, printed as a letter, then forgotten) and a password PDF
 * attached to a message in the read view, opened with its password. Composed into contract.ts.
 */

/** How a container recipient's PDF is locked: a password generated for this mail, or the client's standing one. */
export const ContainerChoiceSchema = z.enum(['generate', 'standing'])
export type ContainerChoice = z.infer<typeof ContainerChoiceSchema>

/** compose:send's choice per container recipient (default: the standing password where one is kept). */
export const ContainerChoicesSchema = z
  .record(z.string().trim().min(1).max(320), ContainerChoiceSchema)
  .refine((choices) => Object.keys(choices).length <= limits.policyDecideMaxRecipients)
  .optional()

/** A client's standing password as the composer's plan names it: since when and how handed over, never itself. */
export const StandingPasswordSchema = z
  .object({
    target: z.string(),
    date: z.string(),
    transmitted: z.string().nullable(),
    transmittedOn: z.string().nullable(),
  })
  .nullable()

const PasswordId = z.strictObject({ passwordId: z.uuid() })
const SavedFile = z.object({ saved: z.boolean(), fileName: z.string() })

export const composePasswordChannels = {
  /** The generated password of one sent copy, once: a second call is refused (COMPOSE_PASSWORD_GONE). */
  'compose:password-show': {
    req: PasswordId,
    res: z.object({ recipient: z.string(), password: z.string() }),
  },
  /** Main puts the password on the clipboard and takes it off again after `clearsAfterSeconds`. */
  'compose:password-copy': { req: PasswordId, res: z.object({ clearsAfterSeconds: z.number().int() }) },
  /** The "Passwortbrief" for postal delivery (PDF, German and English), saved where the user chooses. */
  'compose:password-letter': { req: PasswordId, res: SavedFile },
  /** Main forgets the password (the sender has passed it on). */
  'compose:password-forget': { req: PasswordId, res: z.object({}) },
} as const

const AttachmentRef = { readingId: z.uuid(), index: z.number().int().min(0).max(100_000) }

export const mailContainerChannels = {
  /**
   * Opens a password PDF attached to the open message with its password (the `container open` core). The
   * enclosed files stay in main with the reading; a wrong password changes nothing.
   */
  'mail:container-open': {
    req: z.strictObject({ ...AttachmentRef, password: z.string().min(1).max(limits.passphraseMaxChars) }),
    res: OpenedContainerSchema,
  },
  /** Saves one enclosed file of an opened password PDF as attachments are saved (chunked, download mark). */
  'mail:container-save': {
    req: z.strictObject({ ...AttachmentRef, file: z.number().int().min(0).max(100_000) }),
    res: z.object({ saved: z.boolean(), fileName: z.string(), isMarked: z.boolean() }),
  },
} as const
