import { join } from 'node:path'
import { SiegelpostError } from '../errors/index.ts'
import type { Vault } from '../keys/vault.ts'
import { openJson, sealJson } from '../store/sealed-blob.ts'
import { readStoreFile, writeFileAtomic } from '../store/atomic-file.ts'
import {
  PolicySettingsSchema,
  type Channel,
  type PolicySettings,
  type Requirement,
  type Transmission,
} from './policy-schema.ts'

// The store's callers (policy evaluation, sending, tests) name the data types by this file.
export type { Consent, PolicyRule, PolicySettings, TlsException, Transmission } from './policy-schema.ts'
export { ChannelSchema, ConsentSchema, RequirementSchema, TransmissionSchema } from './policy-schema.ts'

/** Zwangs-TLS on by default: the submission TLS is not a setting at all; REQUIRETLS is requested when offered. */
export const defaultPolicy = (): PolicySettings => ({
  format: 1,
  requiretls: 'request',
  rules: [],
  tlsExceptions: [],
  consents: [],
})

/** A domain (`kanzlei.de`) or an address (`a@kanzlei.de`), lower-cased. */
export function normalizeTarget(value: string): string {
  const target = value.trim().toLowerCase()
  const domain = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/
  const at = target.lastIndexOf('@')
  if (at > 0 ? /^[^\s@<>]+$/.test(target.slice(0, at)) && domain.test(target.slice(at + 1)) : domain.test(target))
    return target
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

/**
 * The transport policy of a profile (its data: policy-schema.ts), stored sealed (it names clients)
 * under a vault-derived key.
 */
export class PolicyStore {
  private readonly path: string
  private readonly key: Buffer
  constructor(profileDir: string, vault: Vault) {
    this.path = join(profileDir, policyFileName)
    this.key = vault.deriveKey('policy')
  }

  async load(): Promise<PolicySettings> {
    const bytes = await readStoreFile(this.path)
    if (bytes === null) return defaultPolicy()
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
  addRule(
    input: { target: string; require: Requirement; by: string | null; note: string | null },
    now: Date,
  ): Promise<PolicySettings> {
    const target = normalizeTarget(input.target)
    return this.update((s) => {
      s.rules = s.rules.filter((r) => !(r.target === target && r.require === input.require))
      s.rules.push({ target, require: input.require, by: input.by, note: input.note, date: now.toISOString() })
    })
  }

  /** One exception per target; `expires` is an ISO date or date-time (a bare date: through the end of that day). */
  addTlsException(
    input: { target: string; reason: string; by: string; expires: string | null },
    now: Date,
  ): Promise<PolicySettings> {
    const target = normalizeTarget(input.target)
    const expires = input.expires === null ? null : parseIsoDate(input.expires)
    return this.update((s) => {
      s.tlsExceptions = s.tlsExceptions.filter((e) => e.target !== target)
      s.tlsExceptions.push({ target, reason: input.reason, by: input.by, date: now.toISOString(), expires })
    })
  }

  /**
   * Records a client's consent for an address or a domain. The earlier entries of that target stay in the
   * register, marked not current: the Kanzlei can show what was agreed when.
   */
  addConsent(
    input: {
      address: string
      channel: Channel
      by: string
      note: string | null
      transmitted?: Transmission | null
      transmittedOn?: string | null
      expires?: string | null
      hasPassword?: boolean
    },
    now: Date,
  ): Promise<PolicySettings> {
    const address = normalizeTarget(input.address)
    const expires = input.expires ? parseIsoDate(input.expires) : null
    const transmittedOn = input.transmittedOn ? parseIsoDate(input.transmittedOn) : null
    return this.update((s) => {
      for (const earlier of s.consents) if (earlier.address === address) earlier.current = false
      s.consents.push({
        address,
        channel: input.channel,
        by: input.by,
        note: input.note,
        date: now.toISOString(),
        transmitted: input.transmitted ?? null,
        transmittedOn,
        expires,
        hasPassword: input.hasPassword ?? false,
        current: true,
      })
    })
  }
}
