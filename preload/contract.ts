import { z } from 'zod'
import { limits } from '../main/core/limits.ts'

/**
 * The one IPC contract between the UI and main. Every channel is named here and only here
 * (`domain:verb`), with a schema for the request and for the response. Main validates requests
 * with `req` and strips responses to `res`, so nothing outside the contract (key material,
 * passphrases, raw plaintext) can cross by accident. Shared by main, preload and renderer.
 */

const NoRequest = z.undefined()

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

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  platform: z.string(),
  runtime: z.object({ node: z.string(), electron: z.string().nullable(), chrome: z.string().nullable() }),
})
export type AppInfo = z.infer<typeof AppInfoSchema>

export const VaultStatusSchema = z.object({
  mode: z.enum(['keychain', 'passphrase']),
  path: z.string(),
  generation: z.number().int(),
  savedAt: z.string(),
  keyCount: z.number().int(),
})
export type VaultStatus = z.infer<typeof VaultStatusSchema>

/** A key file the user picked, dropped or pasted; the passphrase only unlocks this file. */
export const KeyFileRequestSchema = z.strictObject({
  fileName: z.string().min(1).max(255),
  /** The file's bytes, base64. */
  data: z.base64().max(Math.ceil(limits.keyFileMaxBytes / 3) * 4),
  passphrase: z.string().min(1).max(limits.passphraseMaxChars).optional(),
  /** True when the user pasted text instead of choosing a file (changes only the wording of errors). */
  pasted: z.boolean().optional(),
})
export type KeyFileRequest = z.infer<typeof KeyFileRequestSchema>

const KeyIdRequest = z.strictObject({ id: z.string().min(1).max(200) })

/** Where a file went; `saved: false` when the user cancelled the save dialog. */
const SavedFileSchema = z.object({ saved: z.boolean(), fileName: z.string() })

export const DraftSummarySchema = z.object({
  id: z.uuid(),
  createdAt: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  body: z.string(),
  attachments: z.array(z.object({ fileName: z.string(), contentType: z.string(), size: z.number().int() })),
})
export type DraftSummary = z.infer<typeof DraftSummarySchema>

export const contract = {
  'app:info': { req: NoRequest, res: AppInfoSchema },
  'keys:list': { req: NoRequest, res: z.array(KeySummarySchema) },
  /** What an import of this file would bring, without storing anything (the wizard's preview). */
  'keys:inspect': {
    req: KeyFileRequestSchema,
    // missingIssuer: a certificate whose chain cannot be built names the issuer whose certificate is missing.
    res: z.array(KeySummarySchema.extend({ isNew: z.boolean(), missingIssuer: z.string().nullable() })),
  },
  'keys:import': { req: KeyFileRequestSchema, res: z.array(KeySummarySchema) },
  /** The user compared the fingerprint over another channel and it matched. */
  'keys:verify': { req: KeyIdRequest.extend({ fingerprint: z.string().min(1).max(200) }), res: KeySummarySchema },
  'keys:delete': { req: KeyIdRequest, res: z.object({ fingerprint: z.string() }) },
  /** Creates an own OpenPGP key (Curve25519 by default), protected by the vault. */
  'keys:generate': {
    req: z.strictObject({
      name: z.string().trim().min(1).max(200),
      email: z.email().max(254),
      algo: z.enum(['curve25519', 'rsa4096']),
      expiresInYears: z.number().int().min(0).max(10),
    }),
    res: KeySummarySchema,
  },
  /** Starts a private-key backup: the recovery code is shown once, here, and never sent again. */
  'keys:backup-start': { req: KeyIdRequest, res: z.object({ backupId: z.uuid(), recoveryCode: z.string(), fileName: z.string() }) },
  /** Saves the printable recovery sheet (PDF) where the user chooses. */
  'keys:backup-sheet': { req: z.strictObject({ backupId: z.uuid(), lang: z.enum(['de', 'en']) }), res: SavedFileSchema },
  /** The user typed the code back: the encrypted backup file is written where they choose. */
  'keys:backup-save': { req: z.strictObject({ backupId: z.uuid(), recoveryCode: z.string().min(1).max(100) }), res: SavedFileSchema },
  'keys:backup-cancel': { req: z.strictObject({ backupId: z.uuid() }), res: z.object({}) },
  /** Writes a certificate request (CSR) for a CA; a new S/MIME key waits in the vault for the certificate. */
  'keys:csr': {
    req: z.strictObject({ name: z.string().trim().min(1).max(200), email: z.email().max(254) }),
    res: SavedFileSchema.extend({ key: KeySummarySchema.nullable() }),
  },
  /** Saves the revocation certificate of an own OpenPGP key. */
  'keys:revocation': { req: KeyIdRequest, res: SavedFileSchema },
  /** Puts the public key or certificate (text form) on the clipboard; main writes it, the UI never holds it. */
  'keys:copy-public': { req: KeyIdRequest, res: z.object({ copied: z.literal(true) }) },
  /** Saves the public key or certificate as a file for passing on. */
  'keys:export-public': { req: KeyIdRequest, res: SavedFileSchema },
  'vault:status': { req: NoRequest, res: VaultStatusSchema },
  // --- key manager: chains and sharing (issue 6) ---
  /** Whether the certificate's chain can be built from the vault; names the issuer whose certificate is missing. */
  'keys:chain': { req: KeyIdRequest, res: z.object({ missingIssuer: z.string().nullable() }) },
  /** "Als Entwurf teilen": a new mail draft with the public key or certificate attached, worded in `lang`. */
  'keys:share-draft': { req: KeyIdRequest.extend({ lang: z.enum(['de', 'en']).optional() }), res: z.object({ draftId: z.uuid() }) },
  /** The drafts in the profile, newest first; attachments by name and size only (their bytes stay in main). */
  'drafts:list': { req: NoRequest, res: z.array(DraftSummarySchema) },
} as const satisfies Record<`${string}:${string}`, { req: z.ZodType; res: z.ZodType }>

export type Contract = typeof contract
export type Channel = keyof Contract
export type Request<C extends Channel> = z.input<Contract[C]['req']>
export type Response<C extends Channel> = z.output<Contract[C]['res']>

export const channels = Object.keys(contract) as Channel[]

/** What every call returns: nothing is thrown across IPC (Electron would keep only the message). */
export interface WireError {
  code: string
  kind: 'user' | 'remote' | 'bug'
  message: { de: string; en: string }
}
export type Result<T> = { ok: true; value: T } | { ok: false; error: WireError }

type PascalCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Capitalize<Head>}${PascalCase<Tail>}` : Capitalize<S>

/** `keys:list` → `keysList`, `keys:backup-start` → `keysBackupStart`: the preload function for a channel. */
export type MethodName<C extends string> = C extends `${infer Domain}:${infer Verb}` ? `${Domain}${PascalCase<Verb>}` : never

type Args<C extends Channel> = Request<C> extends undefined ? [] : [request: Request<C>]

/** `window.siegelpost`: one named function per channel, nothing else. */
export type SiegelpostApi = {
  readonly [C in Channel as MethodName<C>]: (...args: Args<C>) => Promise<Result<Response<C>>>
}
