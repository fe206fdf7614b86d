import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { SiegelpostError } from '../errors/index.ts'
import type { Vault } from '../keys/vault.ts'
import { openJson, sealJson } from '../store/sealed-blob.ts'
import { writeFileAtomic } from '../store/atomic-file.ts'

/**
 * The transport policy of a profile (CLI.md "policy"): REQUIRETLS request|require, stricter rules per
 * domain or address, TLS exceptions (whitelist) with reason, who, date and optional expiry, and the
 * consent register. Stored sealed (it names clients) under a vault-derived key.
 */
export const RequirementSchema = z.enum(['e2e', 'requiretls', 'mta-sts-or-dane'])
export const ChannelSchema = z.enum(['e2e', 'container', 'tls', 'plain'])

const RuleSchema = z.object({ target: z.string(), require: RequirementSchema, by: z.string().nullable(), note: z.string().nullable(), date: z.string() })
const ExceptionSchema = z.object({ target: z.string(), reason: z.string(), by: z.string(), date: z.string(), expires: z.string().nullable() })
/** `address` is an address or a domain (an address entry beats a domain entry); `expires` an ISO date-time. */
const ConsentSchema = z.object({
  address: z.string(),
  channel: ChannelSchema,
  by: z.string(),
  note: z.string().nullable(),
  date: z.string(),
  expires: z.string().nullable().optional(),
})

export const PolicySettingsSchema = z.object({
  format: z.literal(1),
  requiretls: z.enum(['request', 'require']),
  rules: z.array(RuleSchema),
  tlsExceptions: z.array(ExceptionSchema),
  consents: z.array(ConsentSchema),
})
export type PolicySettings = z.infer<typeof PolicySettingsSchema>
export type PolicyRule = z.infer<typeof RuleSchema>
export type TlsException = z.infer<typeof ExceptionSchema>
export type Consent = z.infer<typeof ConsentSchema>
export type Requirement = z.infer<typeof RequirementSchema>
export type Channel = z.infer<typeof ChannelSchema>

/** Zwangs-TLS on by default: the submission TLS is not a setting at all; REQUIRETLS is requested when offered. */
export const defaultPolicy = (): PolicySettings => ({ format: 1, requiretls: 'request', rules: [], tlsExceptions: [], consents: [] })

/** A domain (`kanzlei.de`) or an address (`a@kanzlei.de`), lower-cased. */
export function normalizeTarget(value: string): string {
  const target = value.trim().toLowerCase()
  const domain = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/
  const at = target.lastIndexOf('@')
  if (at > 0 ? /^[^\s@<>]+$/.test(target.slice(0, at)) && domain.test(target.slice(at + 1)) : domain.test(target)) return target
  throw new SiegelpostError('POLICY_BAD_TARGET', { value })
}

export function parseIsoDate(value: string): string {
  const parsed = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(value) ? new Date(value) : new Date(NaN)
  if (Number.isNaN(parsed.getTime())) throw new SiegelpostError('POLICY_BAD_DATE', { value })
  // A bare date means "valid through that day" (end of the day, UTC).
  return value.length === 10 ? new Date(`${value}T23:59:59.999Z`).toISOString() : parsed.toISOString()
}

export const policyFileName = 'policy.sgpp'
const context = 'siegelpost/policy/v1'

export class PolicyStore {
  private readonly path: string
  private readonly key: Buffer
  constructor(profileDir: string, vault: Vault) {
    this.path = join(profileDir, policyFileName)
    this.key = vault.deriveKey('policy')
  }

  async load(): Promise<PolicySettings> {
    let bytes: Buffer
    try {
      bytes = await readFile(this.path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return defaultPolicy()
      throw new SiegelpostError('FILE_UNREADABLE', { path: this.path, reason: (error as NodeJS.ErrnoException).code ?? 'I/O' })
    }
    const parsed = PolicySettingsSchema.safeParse(openJson(this.key, bytes, context))
    if (!parsed.success) throw new SiegelpostError('ACCOUNT_DAMAGED', { path: this.path })
    return parsed.data
  }

  async update(change: (settings: PolicySettings) => void): Promise<PolicySettings> {
    const settings = await this.load()
    change(settings)
    const next = PolicySettingsSchema.parse(settings)
    await writeFileAtomic(this.path, sealJson(this.key, next, context))
    return next
  }

  /* The changes the CLI (`policy …`) and the app (IPC `policy:*`) make: one function each, targets normalized here. */

  setRequireTls(value: PolicySettings['requiretls']): Promise<PolicySettings> {
    return this.update((s) => void (s.requiretls = value))
  }

  /** One rule per target and requirement: the same rule again replaces the old one. */
  addRule(input: { target: string; require: Requirement; by: string | null; note: string | null }, now: Date): Promise<PolicySettings> {
    const target = normalizeTarget(input.target)
    return this.update((s) => {
      s.rules = s.rules.filter((r) => !(r.target === target && r.require === input.require))
      s.rules.push({ target, require: input.require, by: input.by, note: input.note, date: now.toISOString() })
    })
  }

  /** One exception per target; `expires` is an ISO date or date-time (a bare date: through the end of that day). */
  addTlsException(input: { target: string; reason: string; by: string; expires: string | null }, now: Date): Promise<PolicySettings> {
    const target = normalizeTarget(input.target)
    const expires = input.expires === null ? null : parseIsoDate(input.expires)
    return this.update((s) => {
      s.tlsExceptions = s.tlsExceptions.filter((e) => e.target !== target)
      s.tlsExceptions.push({ target, reason: input.reason, by: input.by, date: now.toISOString(), expires })
    })
  }

  /** Consent per client address or per domain (an address entry beats a domain entry when sending). */
  addConsent(
    input: { address: string; channel: Channel; by: string; note: string | null; expires?: string | null },
    now: Date,
  ): Promise<PolicySettings> {
    const address = normalizeTarget(input.address)
    const expires = input.expires ? parseIsoDate(input.expires) : null
    return this.update((s) => {
      s.consents = s.consents.filter((c) => c.address !== address)
      s.consents.push({ address, channel: input.channel, by: input.by, note: input.note, date: now.toISOString(), expires })
    })
  }
}
