import { z } from 'zod'
import { limits } from '../main/core/limits.ts'

/**
 * The read view's channels (`mail:*`). The window receives the decoded display parts of the
 * message being read — text, HTML still to be sanitized in the window's DOM, inline images as
 * data: URLs, attachments by name and size — never the raw message, key material or the store key.
 */

/** Where the message comes from: main's open dialog, a dropped .eml file (bytes or path), or the local store (by row id). */
export const MailSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('dialog') }),
  z.strictObject({
    kind: z.literal('dropped'),
    fileName: z.string().min(1).max(255),
    data: z.base64().max(Math.ceil(limits.ipcPayloadMaxBytes / 4) * 3),
  }),
  /** An .eml file dropped on the window, by its path (Electron's webUtils): main reads it, no bytes cross IPC. */
  z.strictObject({ kind: z.literal('dropped-path'), path: z.string().min(1).max(4096) }),
  z.strictObject({ kind: z.literal('stored'), id: z.string().min(1).max(200) }),
  /** The message of an open reading once more (after a key was verified or imported), as a new reading. */
  z.strictObject({ kind: z.literal('again'), readingId: z.uuid() }),
])
export type MailSource = z.infer<typeof MailSourceSchema>

/** What opening a stored message did to its read flag (see `mail:open`). */
export const SeenSchema = z.enum(['already', 'marked', 'pending', 'failed'])
export type Seen = z.infer<typeof SeenSchema>

const Technology = z.enum(['openpgp', 'smime']).nullable()
const Protection = { encrypted: z.boolean(), signed: z.boolean() }

export const DisplayPartSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: z.string(), isTruncated: z.boolean(), ...Protection }),
  z.object({
    kind: z.literal('html'),
    html: z.string(),
    alternativeText: z.string().nullable(),
    images: z.array(z.object({ cid: z.string(), dataUrl: z.string().startsWith('data:image/') })),
    isTruncated: z.boolean(),
    ...Protection,
  }),
  z.object({ kind: z.literal('attachment'), index: z.number().int(), ...Protection }),
  z.object({ kind: z.literal('not-opened'), ...Protection }),
])
export type DisplayPartView = z.infer<typeof DisplayPartSchema>

export const SecurityStateSchema = z.enum([
  'encrypted-verified',
  'encrypted-unverified',
  'encrypted-unknown-key',
  'encrypted-unsigned',
  'signed',
  'mismatch',
  'invalid',
  'signature-not-valid',
  'cannot-decrypt',
  'insecure-encryption',
  'partly-protected',
  'plain',
  'key-changed',
])
export type SecurityStateView = z.infer<typeof SecurityStateSchema>

const KeyRef = z.object({ technology: z.enum(['openpgp', 'smime']), fingerprint: z.string() })

export const ReadingViewSchema = z.object({
  readingId: z.uuid(),
  headers: z.object({
    from: z.string(),
    fromName: z.string().nullable(),
    fromAddresses: z.array(z.string()),
    to: z.array(z.string()),
    cc: z.array(z.string()),
    replyTo: z.array(z.string()),
    sender: z.array(z.string()),
    subject: z.string(),
    isSubjectProtected: z.boolean(),
    date: z.string(),
  }),
  summary: z.object({
    state: SecurityStateSchema,
    number: z.number().int().min(1).max(13),
    tone: z.enum(['good', 'info', 'caution', 'danger', 'neutral']),
    confidentiality: z.enum(['encrypted', 'not-encrypted', 'failed']),
    authenticity: z.enum(['verified', 'unverified', 'unknown-key', 'not-signed', 'mismatch', 'invalid', 'not-valid']),
    notValidBecause: z.enum(['expired', 'revoked', 'unknown-issuer', 'certificate-invalid', 'unknown-key']).nullable(),
    isContentHidden: z.boolean(),
    isKeyMissing: z.boolean(),
  }),
  warnings: z.array(z.object({ code: z.string(), text: z.string() })),
  encryption: z.object({
    state: z.enum(['encrypted', 'none', 'failed']),
    technology: Technology,
    reason: z.string(),
    /** The reason in both languages (the UI picks its own); null without a reason. */
    message: z.object({ de: z.string(), en: z.string() }).nullable(),
    code: z.string().nullable(),
  }),
  signature: z.object({
    state: z.enum(['valid', 'invalid', 'unknown-key', 'mismatch', 'none']),
    technology: Technology,
    signer: z.string().nullable(),
    acceptance: z.enum(['verified', 'unverified']).nullable(),
    reason: z.string(),
    message: z.object({ de: z.string(), en: z.string() }).nullable(),
    code: z.string().nullable(),
  }),
  signer: z
    .object({
      id: z.string(),
      name: z.string(),
      email: z.string(),
      fingerprint: z.string(),
      technology: z.enum(['openpgp', 'smime']),
      acceptance: z.enum(['verified', 'unverified']),
      signedAt: z.string().nullable(),
    })
    .nullable(),
  previousKey: KeyRef.nullable(),
  transport: z.object({
    tls: z.enum(['yes', 'no', 'unknown']),
    hops: z.array(
      z.object({
        from: z.string().nullable(),
        by: z.string().nullable(),
        with: z.string().nullable(),
        tls: z.boolean().nullable(),
        version: z.string().nullable(),
        date: z.string().nullable(),
      }),
    ),
  }),
  parts: z.array(DisplayPartSchema),
  attachments: z.array(
    z.object({
      index: z.number().int(),
      filename: z.string(),
      contentType: z.string(),
      size: z.number().int(),
      sha256: z.string(),
      ...Protection,
      isRisky: z.boolean(),
      /** An encrypted PDF (a password PDF, as Siegelpost sends to clients without keys): offered to open here. */
      isPasswordPdf: z.boolean(),
    }),
  ),
  offeredKeys: z.array(
    z.object({
      fingerprint: z.string(),
      technology: z.enum(['openpgp', 'smime']),
      emails: z.array(z.string()),
      source: z.string(),
      isKnown: z.boolean(),
      canImport: z.boolean(),
    }),
  ),
})
export type ReadingView = z.infer<typeof ReadingViewSchema>

const ReadingRef = { readingId: z.uuid() }

export const mailChannels = {
  /** Opens a message for reading: `cancelled` when the user closed the open dialog. */
  'mail:open': {
    /** `jobId`: the window's name for this opening, for `mail:progress` and `mail:cancel` of a large message. */
    req: z.strictObject({ source: MailSourceSchema, jobId: z.uuid().optional() }),
    res: z.object({
      cancelled: z.boolean(),
      reading: ReadingViewSchema.nullable(),
      /**
       * A stored message is marked read on the server, then in the store: `marked`; `already` read;
       * `pending` when the server cannot be reached now (tried again at the next sync); `failed` when the
       * server refused. Null for a message from a file.
       */
      seen: SeenSchema.nullable().optional(),
    }),
  },
  /** Saves one attachment where the user chooses, marked as downloaded for the OS; never opens it. */
  'mail:save-attachment': {
    req: z.strictObject({ ...ReadingRef, index: z.number().int().min(0).max(100_000) }),
    res: z.object({ saved: z.boolean(), fileName: z.string(), isMarked: z.boolean() }),
  },
  /** Opens a saved attachment with its program; programs and macro files need `confirmed` (asked first). */
  'mail:open-attachment': {
    req: z.strictObject({ ...ReadingRef, index: z.number().int().min(0).max(100_000), confirmed: z.boolean() }),
    res: z.object({ opened: z.boolean(), needsConfirmation: z.boolean() }),
  },
  /** A public key the message offers, as a file for the import wizard's preview (nothing is imported here). */
  'mail:offered-key': {
    req: z.strictObject({ ...ReadingRef, fingerprint: z.string().min(8).max(200) }),
    res: z.object({ fileName: z.string(), data: z.base64() }),
  },
  /**
   * Reply, reply all or forward: a draft from the open message (only what was shown as one protected
   * unit is quoted; main keeps the quote). `toReplyTo` only after the user confirmed a differing Reply-To.
   */
  'mail:reply': {
    req: z.strictObject({
      ...ReadingRef,
      kind: z.enum(['reply', 'reply-all', 'forward']),
      toReplyTo: z.boolean(),
      lang: z.enum(['de', 'en']),
    }),
    res: z.object({
      draftId: z.uuid(),
      replyTo: z.object({ addresses: z.array(z.string()), differsFromFrom: z.boolean() }),
      isEndToEndOnly: z.boolean(),
      isHtmlLeftOut: z.boolean(),
    }),
  },
  /** The read view is done with the message: its decrypted parts are dropped in main. */
  'mail:close': { req: z.strictObject(ReadingRef), res: z.object({}) },
  /** The original message (still encrypted, byte for byte) saved where the user chooses, marked as downloaded. */
  'mail:export-eml': {
    req: z.strictObject(ReadingRef),
    res: z.object({ saved: z.boolean(), fileName: z.string(), isMarked: z.boolean() }),
  },
  /** A PDF record of what was shown (headers, the verdict in words, the transport trail, text, files) for the files. */
  'mail:export-pdf': {
    req: z.strictObject({ ...ReadingRef, lang: z.enum(['de', 'en']) }),
    res: z.object({ saved: z.boolean(), fileName: z.string() }),
  },
  /** Prints the same record through the OS print dialog; `printed` false when cancelled or no printer. */
  'mail:print': {
    req: z.strictObject({ ...ReadingRef, lang: z.enum(['de', 'en']) }),
    res: z.object({ printed: z.boolean() }),
  },
  /** How far the opening of a large message (started with `mail:open` and this `jobId`) is; null before it reports. */
  'mail:progress': {
    req: z.strictObject({ jobId: z.uuid() }),
    res: z.object({
      state: z.enum(['running', 'finished', 'cancelled', 'unknown']),
      done: z.number().int().nonnegative(),
      total: z.number().int().nonnegative(),
    }),
  },
  /** Stops the opening of a large message: its worker is ended and nothing of it is shown (`mail:open` says cancelled). */
  'mail:cancel': { req: z.strictObject({ jobId: z.uuid() }), res: z.object({ wasRunning: z.boolean() }) },
} as const
