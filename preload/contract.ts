import { z } from 'zod'
import { DraftSummarySchema } from '../main/core/drafts/draft-summary.ts'
import { KeySummarySchema } from '../main/core/keys/key-summary.ts'
import { VaultInfoSchema } from '../main/core/keys/vault-info.ts'
import { limits } from '../main/core/limits.ts'
import {
  ChannelSchema,
  ConsentSchema,
  PolicyRuleSchema,
  PolicyViewSchema,
  RequireTlsModeSchema,
  RequirementSchema,
  TlsExceptionSchema,
} from '../main/core/policy/policy-schema.ts'
import { AccountSummarySchema, SecuritySchema } from '../main/core/transport/account-schema.ts'
import { TlsInfoSchema } from '../main/core/transport/tls-info.ts'
import type { Channel } from './channels.ts'
import { mailChannels } from './mail-contract.ts'
import { mailboxChannels } from './mailbox-contract.ts'
import { consentChannels, containerChannels } from './consent-contract.ts'
import {
  ContainerChoicesSchema,
  composePasswordChannels,
  mailContainerChannels,
  StandingPasswordSchema,
} from './container-password-contract.ts'

/**
 * The one IPC contract between the UI and main: every channel of channels.ts (`domain:verb`) with a
 * schema for the request and for the response. Main validates requests with `req` and strips
 * responses to `res`, so nothing outside the contract (key material, passphrases, raw plaintext)
 * can cross by accident. The domain data (key summary, vault, accounts, TLS, policy, drafts) is the core's
 * (main/core/**); this file composes it with the request shapes. Shared by main and renderer; the
 * preload itself needs only channels.ts. The renderer's tsconfig compiles every file imported here,
 * so those core files import zod and nothing from Node (`*-schema.ts`, `*-summary.ts`, `*-info.ts`).
 */

const NoRequest = z.undefined()

// The core's types under the names the UI uses (the renderer may not import main/).
export type { DraftSummary } from '../main/core/drafts/draft-summary.ts'
export type { KeySummary } from '../main/core/keys/key-summary.ts'
export type { VaultInfo as VaultStatus } from '../main/core/keys/vault-info.ts'
export type { PolicyView } from '../main/core/policy/policy-schema.ts'
export type { AccountSummary as AccountSummaryView } from '../main/core/transport/account-schema.ts'
export { channels, type Channel } from './channels.ts'
export type { ConsentRecordRequest, OpenedContainerView, WeakPasswordReasonView } from './consent-contract.ts'
export type { Consent as ConsentView } from '../main/core/policy/policy-schema.ts'

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  platform: z.string(),
  runtime: z.object({ node: z.string(), electron: z.string().nullable(), chrome: z.string().nullable() }),
})
export type AppInfo = z.infer<typeof AppInfoSchema>

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

// --- accounts, Outbox, policy (Zwangs-TLS) ---

/** A reason from the error table (held mail, a failed check), in both languages. */
export const ReasonSchema = z.object({ code: z.string(), message: z.object({ de: z.string(), en: z.string() }) })
export type ReasonView = z.infer<typeof ReasonSchema>

/** No `security`: starttls for ports 587 and 143, implicit TLS otherwise (as `accounts add`). There is no plaintext mode. */
const EndpointRequestSchema = z.strictObject({
  host: z.string().trim().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  security: SecuritySchema.optional(),
})

export const AccountAddRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  email: z.email().max(254),
  user: z.string().trim().min(1).max(320),
  /** Travels in once and goes to the OS keychain (sealed in the profile for a passphrase vault); never returned. */
  password: z.string().min(1).max(limits.passphraseMaxChars),
  smtp: EndpointRequestSchema,
  imap: EndpointRequestSchema,
  /** Extra trust anchor(s) in PEM for a self-hosted server. */
  ca: z.string().min(1).max(limits.keyFileMaxBytes).optional(),
  /** SHA-256 of the server's leaf certificate, hex, with or without colons. */
  pin: z.string().min(1).max(200).optional(),
})
export type AccountAddRequest = z.infer<typeof AccountAddRequestSchema>

/** One server's result: the TLS it negotiated, or the specific reason it failed (nothing is sent either way). */
const EndpointCheckSchema = z.object({
  ok: z.boolean(),
  tls: TlsInfoSchema.nullable(),
  reason: ReasonSchema.nullable(),
})
export const AccountCheckSchema = z.object({
  account: z.string(),
  /** `requiretls`: whether the server's EHLO offered REQUIRETLS (null when the check failed). */
  smtp: EndpointCheckSchema.extend({ requiretls: z.boolean().nullable() }),
  imap: EndpointCheckSchema,
})
export type AccountCheckView = z.infer<typeof AccountCheckSchema>

const SentCopySchema = z.object({ state: z.enum(['ok', 'failed']), detail: z.string() }).nullable()
export const OutboxEntrySchema = z.object({
  outboxId: z.string(),
  state: z.enum(['queued', 'sending', 'sent', 'held']),
  reason: ReasonSchema.nullable(),
  account: z.string(),
  messageId: z.string(),
  created: z.string(),
  updated: z.string(),
  subject: z.string(),
  recipients: z.array(z.string()),
  attempts: z.number().int(),
  sentCopy: SentCopySchema,
})
export type OutboxEntryView = z.infer<typeof OutboxEntrySchema>
const OutboxIdRequest = z.strictObject({ outboxId: z.uuid() })
export const SendOutcomeSchema = z.object({
  outboxId: z.string(),
  state: z.enum(['sent', 'held']),
  reason: ReasonSchema.nullable(),
  tls: z.object({ version: z.string(), requiretls: z.boolean() }).nullable(),
  sentCopy: SentCopySchema,
})

/** A domain (`kanzlei.de`) or an address (`a@kanzlei.de`). */
const PolicyTarget = z.string().trim().min(1).max(320)
const PolicyText = z.string().trim().min(1).max(1000)

export const PolicyDecisionSchema = z.object({
  decision: z.enum(['send', 'hold']),
  /** The first reason to hold (what the Outbox would say). */
  held: ReasonSchema.nullable(),
  recipients: z.array(
    z.object({
      recipient: z.string(),
      decision: z.enum(['send', 'hold']),
      requireTls: z.enum(['required', 'avoid', 'if-offered']),
      reasons: z.array(ReasonSchema),
      rules: z.array(PolicyRuleSchema),
      exception: TlsExceptionSchema.nullable(),
      consent: ConsentSchema.nullable(),
    }),
  ),
})
export type PolicyDecisionView = z.infer<typeof PolicyDecisionSchema>

const appChannels = {
  'app:info': { req: NoRequest, res: AppInfoSchema },
} as const

const keysChannels = {
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
  'keys:backup-start': {
    req: KeyIdRequest,
    res: z.object({ backupId: z.uuid(), recoveryCode: z.string(), fileName: z.string() }),
  },
  /** Saves the printable recovery sheet (PDF) where the user chooses. */
  'keys:backup-sheet': {
    req: z.strictObject({ backupId: z.uuid(), lang: z.enum(['de', 'en']) }),
    res: SavedFileSchema,
  },
  /** The user typed the code back: the encrypted backup file is written where they choose. */
  'keys:backup-save': {
    req: z.strictObject({ backupId: z.uuid(), recoveryCode: z.string().min(1).max(100) }),
    res: SavedFileSchema,
  },
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
  /**
   * Web Key Directory: what the address's domain publishes as its OpenPGP key. Offered only; with
   * `take: true` stored as "not verified" (the user confirms the fingerprint on another channel).
   */
  'keys:lookup': {
    req: z.strictObject({ address: z.email().max(254), take: z.boolean().optional() }),
    res: z.object({ method: z.enum(['advanced', 'direct']), imported: z.boolean(), keys: z.array(KeySummarySchema) }),
  },
  /** Whether the certificate's chain can be built from the vault; names the issuer whose certificate is missing. */
  'keys:chain': { req: KeyIdRequest, res: z.object({ missingIssuer: z.string().nullable() }) },
  /** "Als Entwurf teilen": a new mail draft with the public key or certificate attached, worded in `lang`. */
  'keys:share-draft': {
    req: KeyIdRequest.extend({ lang: z.enum(['de', 'en']).optional() }),
    res: z.object({ draftId: z.uuid() }),
  },
} as const

const vaultChannels = {
  'vault:status': { req: NoRequest, res: VaultInfoSchema },
} as const

const transportChannels = {
  'accounts:list': { req: NoRequest, res: z.array(AccountSummarySchema) },
  /** Stores the account (it does not connect; `accounts:test` does). */
  'accounts:add': { req: AccountAddRequestSchema, res: AccountSummarySchema },
  /** Forgets the account and deletes its password from the keychain; its Outbox entries stay. */
  'accounts:remove': { req: z.strictObject({ name: z.string().min(1).max(100) }), res: z.object({ name: z.string() }) },
  /** Connects to SMTP and IMAP with Zwangs-TLS and logs in; reports TLS version, cipher, certificate and REQUIRETLS. */
  'accounts:test': { req: z.strictObject({ name: z.string().min(1).max(100) }), res: AccountCheckSchema },
  'outbox:list': { req: NoRequest, res: z.array(OutboxEntrySchema) },
  /** Tries a held entry again (the same entry; never a new one). */
  'outbox:retry': { req: OutboxIdRequest, res: SendOutcomeSchema },
  'outbox:drop': { req: OutboxIdRequest, res: z.object({ outboxId: z.string() }) },
} as const

const policyChannels = {
  'policy:show': { req: NoRequest, res: PolicyViewSchema },
  'policy:set-requiretls': { req: z.strictObject({ value: RequireTlsModeSchema }), res: PolicyViewSchema },
  /** A stricter rule for a domain or address. */
  'policy:rule': {
    req: z.strictObject({
      target: PolicyTarget,
      require: RequirementSchema,
      by: PolicyText.optional(),
      note: PolicyText.optional(),
    }),
    res: PolicyViewSchema,
  },
  /** An exception (whitelist) with reason and who: relaxes recipient-side requirements only. `expires`: ISO date. */
  'policy:tls-exception': {
    req: z.strictObject({
      target: PolicyTarget,
      reason: PolicyText,
      by: PolicyText,
      expires: z.string().max(40).optional(),
    }),
    res: PolicyViewSchema,
  },
  /** The channel a client agreed to. */
  'policy:consent': {
    req: z.strictObject({ address: PolicyTarget, channel: ChannelSchema, by: PolicyText, note: PolicyText.optional() }),
    res: PolicyViewSchema,
  },
  /** What the composer shows: the policy's decision and reasons per recipient, before connecting. */
  'policy:decide': {
    req: z.strictObject({
      account: z.string().min(1).max(100).optional(),
      recipients: z.array(z.string().trim().min(3).max(320)).min(1).max(limits.policyDecideMaxRecipients),
      isEndToEnd: z.boolean(),
    }),
    res: PolicyDecisionSchema,
  },
} as const

const DraftIdRequest = z.strictObject({ id: z.uuid() })
const AddressList = z.array(z.string().trim().min(1).max(320)).max(limits.policyDecideMaxRecipients)
export const DraftFieldsSchema = z.strictObject({
  account: z.string().min(1).max(100).nullable(),
  from: z.string().max(320),
  to: AddressList,
  cc: AddressList,
  bcc: AddressList,
  subject: z.string().max(2000),
  body: z.string().max(limits.composerBodyMaxChars),
  sign: z.boolean(),
})
export type DraftFields = z.infer<typeof DraftFieldsSchema>

const draftsChannels = {
  /** The drafts in the profile, newest first; attachments by name and size only (their bytes stay in main). */
  'drafts:list': { req: NoRequest, res: z.array(DraftSummarySchema) },
  'drafts:load': { req: DraftIdRequest, res: DraftSummarySchema },
  /** Saves (sealed) the composer's fields: a new draft with `id: null`; the attachments stay as they are. */
  'drafts:save': {
    req: z.strictObject({ id: z.uuid().nullable(), fields: DraftFieldsSchema }),
    res: DraftSummarySchema,
  },
  /** Deletes the draft and its attachments. */
  'drafts:delete': { req: DraftIdRequest, res: z.object({ id: z.string() }) },
} as const

export const ProtectionSchema = z.enum(['smime', 'openpgp', 'container', 'tls', 'blocked'])
export type Protection = z.infer<typeof ProtectionSchema>
export const RecipientPlanSchema = z.object({
  address: z.string(),
  field: z.enum(['to', 'cc', 'bcc']),
  protection: ProtectionSchema,
  /** Why, from the error table (the stable code, and the text in both languages). */
  reason: ReasonSchema,
  key: z
    .object({
      fingerprint: z.string(),
      technology: z.enum(['openpgp', 'smime']),
      acceptance: z.enum(['verified', 'unverified']),
      expires: z.string().nullable(),
    })
    .nullable(),
  consent: z.object({ channel: z.string(), by: z.string(), date: z.string(), target: z.string() }).nullable(),
  /** The client's standing password for password PDFs, when one is kept: since when and how it was handed over. */
  standingPassword: StandingPasswordSchema,
})
export type RecipientPlanView = z.infer<typeof RecipientPlanSchema>
export const ComposePlanSchema = z.object({
  recipients: z.array(RecipientPlanSchema),
  /** How many separate messages go out (one per protection group, one per Bcc and container recipient). */
  messages: z.number().int(),
})
export type ComposePlanView = z.infer<typeof ComposePlanSchema>
export const ComposeSendSchema = z.object({
  groupId: z.string(),
  messages: z.array(
    z.object({
      outboxId: z.string(),
      recipients: z.array(z.string()),
      protection: z.string().nullable(),
      state: z.enum(['sent', 'held']),
      reason: ReasonSchema.nullable(),
      /** A container copy whose password was generated: the handle to show it once (compose:password-*). */
      passwordId: z.uuid().nullable(),
    }),
  ),
  sentCopy: SentCopySchema,
})
export type ComposeSendView = z.infer<typeof ComposeSendSchema>
const AttachmentSchema = DraftSummarySchema.shape.attachments.element

const composeChannels = {
  /** What each recipient would get and why (the core's per-recipient decision); writes nothing. */
  'compose:plan': {
    req: z.strictObject({
      account: z.string().min(1).max(100).nullable(),
      to: AddressList,
      cc: AddressList,
      bcc: AddressList,
    }),
    res: ComposePlanSchema,
  },
  /** Sends the saved draft: one copy per protection group through the Outbox (Zwangs-TLS); held copies stay there. */
  'compose:send': {
    req: DraftIdRequest.extend({ passwords: ContainerChoicesSchema }),
    res: ComposeSendSchema,
  },
  /**
   * Copies files into the draft, sealed: the paths of dropped files (from the preload), or without
   * `paths` the ones the user picks in main's file dialog. File bytes never cross IPC.
   */
  'compose:attach': {
    req: z.strictObject({
      id: z.uuid(),
      paths: z.array(z.string().min(1).max(4096)).min(1).max(limits.draftMaxAttachments).optional(),
    }),
    res: z.object({ added: z.array(AttachmentSchema), draft: DraftSummarySchema }),
  },
  'compose:detach': { req: z.strictObject({ id: z.uuid(), attachmentId: z.uuid() }), res: DraftSummarySchema },
  /** The account's signature block (the Kanzlei's required details). */
  'compose:signature': {
    req: z.strictObject({ account: z.string().min(1).max(100) }),
    res: z.object({ text: z.string() }),
  },
  'compose:set-signature': {
    req: z.strictObject({ account: z.string().min(1).max(100), text: z.string().max(4000) }),
    res: z.object({ text: z.string() }),
  },
} as const

/** Every channel, one block per domain (as main/ipc/*-handlers.ts). A new domain adds its block here. */
export const contract = {
  ...appChannels,
  ...keysChannels,
  ...vaultChannels,
  ...transportChannels,
  ...policyChannels,
  ...draftsChannels,
  ...mailChannels,
  ...mailboxChannels,
  ...consentChannels,
  ...containerChannels,
  ...composeChannels,
  ...composePasswordChannels,
  ...mailContainerChannels,
} as const satisfies Record<Channel, { req: z.ZodType; res: z.ZodType }>

/** Compiles only while the contract has exactly the channels of channels.ts. */
type SameKeys<A, B> = [Exclude<A, B>, Exclude<B, A>] extends [never, never] ? true : false
const _everyChannelOnce: SameKeys<keyof typeof contract, Channel> = true

export type Contract = typeof contract
export type Request<C extends Channel> = z.input<Contract[C]['req']>
export type Response<C extends Channel> = z.output<Contract[C]['res']>

/** What every call returns: nothing is thrown across IPC (Electron would keep only the message). */
export interface WireError {
  code: string
  kind: 'user' | 'remote' | 'bug'
  message: { de: string; en: string }
}
export type Result<T> = { ok: true; value: T } | { ok: false; error: WireError }

type PascalCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Capitalize<Head>}${PascalCase<Tail>}`
  : Capitalize<S>

/** `keys:list` → `keysList`, `keys:backup-start` → `keysBackupStart`: the preload function for a channel. */
export type MethodName<C extends string> = C extends `${infer Domain}:${infer Verb}`
  ? `${Domain}${PascalCase<Verb>}`
  : never

type Args<C extends Channel> = Request<C> extends undefined ? [] : [request: Request<C>]

/** `window.siegelpost`: one named function per channel, nothing else. */
export type SiegelpostApi = {
  readonly [C in Channel as MethodName<C>]: (...args: Args<C>) => Promise<Result<Response<C>>>
}
