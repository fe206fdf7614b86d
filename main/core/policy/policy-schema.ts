import { z } from 'zod'

/**
 * The transport policy's data (CLI.md "policy"): REQUIRETLS request|require, stricter rules per
 * domain or address, TLS exceptions (whitelist) with reason, who, date and optional expiry, and the
 * consent register. Plain schemas, no Node imports: policy-settings.ts stores them and
 * preload/contract.ts composes them into the IPC contract.
 */
export const RequirementSchema = z.enum(['e2e', 'requiretls', 'mta-sts-or-dane'])
/** The channel a client agreed to. */
export const ChannelSchema = z.enum(['e2e', 'container', 'tls', 'plain'])
export const RequireTlsModeSchema = z.enum(['request', 'require'])

export const PolicyRuleSchema = z.object({
  target: z.string(),
  require: RequirementSchema,
  by: z.string().nullable(),
  note: z.string().nullable(),
  date: z.string(),
})
export const TlsExceptionSchema = z.object({
  target: z.string(),
  reason: z.string(),
  by: z.string(),
  date: z.string(),
  expires: z.string().nullable(),
})
/** How a standing container password reached the client. */
export const TransmissionSchema = z.enum(['post', 'phone', 'in-person'])
/**
 * One entry of the consent register, for an address or a whole domain. A change adds an entry and marks the
 * earlier ones of that target `current: false`; they stay listed. Fields after `date` came with the history
 * and have defaults, so a register written before reads unchanged. A standing container password is kept in
 * its own sealed file (client-passwords.ts), never here: this register travels to the app's pages.
 */
export const ConsentSchema = z.object({
  address: z.string(),
  channel: ChannelSchema,
  by: z.string(),
  note: z.string().nullable(),
  date: z.string(),
  transmitted: TransmissionSchema.nullable().default(null),
  transmittedOn: z.string().nullable().default(null),
  expires: z.string().nullable().default(null),
  hasPassword: z.boolean().default(false),
  current: z.boolean().default(true),
})

/** The policy as the UI sees it (`policy show --json` adds the file format number). */
export const PolicyViewSchema = z.object({
  requiretls: RequireTlsModeSchema,
  rules: z.array(PolicyRuleSchema),
  tlsExceptions: z.array(TlsExceptionSchema),
  consents: z.array(ConsentSchema),
})
/** The policy as the profile stores it: the view plus its file format number. */
export const PolicySettingsSchema = PolicyViewSchema.extend({ format: z.literal(1) })

export type PolicySettings = z.infer<typeof PolicySettingsSchema>
export type PolicyView = z.infer<typeof PolicyViewSchema>
export type PolicyRule = z.infer<typeof PolicyRuleSchema>
export type TlsException = z.infer<typeof TlsExceptionSchema>
export type Consent = z.infer<typeof ConsentSchema>
export type Requirement = z.infer<typeof RequirementSchema>
export type Channel = z.infer<typeof ChannelSchema>
export type Transmission = z.infer<typeof TransmissionSchema>

/** The settings without the file format number. */
export const policyView = ({ format: _format, ...settings }: PolicySettings): PolicyView => settings
