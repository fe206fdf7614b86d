import type { Reason } from '../errors/index.ts'
import type { Consent, PolicyRule, PolicySettings, TlsException } from './policy-settings.ts'

/**
 * The policy engine: a pure function (account, recipients, settings, domain posture, server
 * capability) → a decision and reasons per recipient. The composer shows the same result before
 * sending; `send` applies it after reading the server's EHLO.
 *
 * What it never decides: the TLS of our own connection to the submission server. That is TLS ≥ 1.2
 * with a valid (or pinned) certificate, always — no rule, exception or consent relaxes it.
 */
export interface DomainPosture {
  /** RFC 8461: the recipient domain's MTA-STS policy mode. */
  mtaSts: 'enforce' | 'testing' | 'none' | 'unknown'
  /**
   * RFC 7672: TLSA records for the MX, and whether a validating resolver vouched for them — `validated` only
   * with the AD bit from a loopback resolver; `bogus`: the local validating resolver refused them (SERVFAIL).
   */
  dane: 'validated' | 'unvalidated' | 'bogus' | 'none' | 'unknown'
}
export const unknownPosture: DomainPosture = { mtaSts: 'unknown', dane: 'unknown' }

export interface PolicyInput {
  settings: PolicySettings
  /** The account's submission host (named in reasons). */
  submissionHost: string
  recipients: readonly string[]
  /** The message is S/MIME- or OpenPGP-encrypted at the top level. */
  isEndToEnd: boolean
  /** Whether the server's EHLO offered REQUIRETLS; null before connecting (the composer's view). */
  serverOffersRequireTls: boolean | null
  posture: (domain: string) => DomainPosture
  now: Date
}

/** A reason of the policy decision: the core's one reason type. */
export type PolicyReason = Reason

export interface RecipientDecision {
  recipient: string
  decision: 'send' | 'hold'
  /** What this recipient needs of REQUIRETLS: must have it, must not have it (exception), or whatever the server offers. */
  requireTls: 'required' | 'avoid' | 'if-offered'
  reasons: PolicyReason[]
  rules: PolicyRule[]
  exception: TlsException | null
  consent: Consent | null
}

export interface PolicyDecision {
  decision: 'send' | 'hold'
  /** Ask the server for REQUIRETLS on MAIL FROM (only ever true when it offered it). */
  requestRequireTls: boolean
  /** The first reason to hold, for the Outbox. */
  held: PolicyReason | null
  recipients: RecipientDecision[]
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase()

/** An entry for `a@x.de` matches that address; one for `x.de` matches every address at x.de and its subdomains. */
export function targetMatches(target: string, address: string): boolean {
  const lower = address.toLowerCase()
  if (target.includes('@')) return target === lower
  const domain = domainOf(lower)
  return domain === target || domain.endsWith(`.${target}`)
}

const isActive = (exception: TlsException, now: Date) =>
  exception.expires === null || new Date(exception.expires).getTime() > now.getTime()

/** The most specific match wins: an address entry before a domain entry. */
function mostSpecific<T extends { target: string }>(entries: T[], address: string): T | null {
  const matching = entries.filter((e) => targetMatches(e.target, address))
  return matching.find((e) => e.target.includes('@')) ?? matching[0] ?? null
}

/**
 * The consent that applies to an address: its own current entry, else the current entry of the closest domain
 * above it (an address entry beats a domain entry; superseded entries of the register's history never apply).
 * An expired entry still applies — as expired, never as none, so that the sender is told why instead of the
 * next-wider entry silently taking over.
 */
export function consentFor(
  settings: Pick<PolicySettings, 'consents'>,
  address: string,
  now: Date,
): { consent: Consent | null; isExpired: boolean } {
  const lower = address.trim().toLowerCase()
  const matching = settings.consents.filter((c) => c.current && targetMatches(c.address, lower))
  const consent =
    matching.find((c) => c.address.includes('@')) ??
    matching.sort((a, b) => b.address.length - a.address.length)[0] ??
    null
  const isExpired = consent?.expires != null && new Date(consent.expires).getTime() <= now.getTime()
  return { consent, isExpired }
}

/** The `--require e2e` rule for an address (its own before its domain's), or null. */
export function e2eRuleFor(settings: PolicySettings, address: string): PolicyRule | null {
  return mostSpecific(
    settings.rules.filter((r) => r.require === 'e2e'),
    address,
  )
}

export function evaluatePolicy(input: PolicyInput): PolicyDecision {
  const { settings, now } = input
  const recipients = input.recipients.map((recipient): RecipientDecision => {
    const rules = settings.rules.filter((rule) => targetMatches(rule.target, recipient))
    const exception = mostSpecific(
      settings.tlsExceptions.filter((e) => isActive(e, now)),
      recipient,
    )
    const { consent } = consentFor(settings, recipient, now)
    const reasons: PolicyReason[] = []

    const e2eRule = rules.find((r) => r.require === 'e2e')
    if ((e2eRule || consent?.channel === 'e2e') && !input.isEndToEnd) {
      reasons.push({
        code: 'POLICY_E2E_REQUIRED',
        params: { recipient, rule: e2eRule ? `${e2eRule.target}: e2e` : `consent: e2e` },
      })
    }

    // A tls-exception relaxes recipient-side requirements only (CLI.md): REQUIRETLS and MTA-STS/DANE.
    const requireTlsRule = exception ? undefined : rules.find((r) => r.require === 'requiretls')
    const needsRequireTls = exception === null && (settings.requiretls === 'require' || requireTlsRule !== undefined)
    if (needsRequireTls && input.serverOffersRequireTls === false) {
      reasons.push(
        requireTlsRule
          ? {
              code: 'POLICY_REQUIRETLS_RULE',
              params: { recipient, rule: `${requireTlsRule.target}: requiretls`, host: input.submissionHost },
            }
          : { code: 'SMTP_REQUIRETLS_UNSUPPORTED', params: { host: input.submissionHost } },
      )
    }

    const postureRule = exception ? undefined : rules.find((r) => r.require === 'mta-sts-or-dane')
    if (postureRule) {
      const posture = input.posture(domainOf(recipient))
      if (posture.mtaSts !== 'enforce' && posture.dane !== 'validated') {
        reasons.push({
          code: 'POLICY_DOMAIN_NOT_TLS',
          params: {
            recipient,
            rule: `${postureRule.target}: mta-sts-or-dane`,
            posture: `MTA-STS ${posture.mtaSts}, DANE ${posture.dane}`,
          },
        })
      }
    }

    return {
      recipient,
      decision: reasons.length > 0 ? 'hold' : 'send',
      requireTls: needsRequireTls ? 'required' : exception ? 'avoid' : 'if-offered',
      reasons,
      rules,
      exception,
      consent,
    }
  })

  // REQUIRETLS is one flag on MAIL FROM for all recipients: it cannot be on for some and off for others.
  const strict = recipients.find((r) => r.requireTls === 'required')
  const relaxed = recipients.find((r) => r.requireTls === 'avoid')
  let held = recipients.flatMap((r) => r.reasons)[0] ?? null
  if (held === null && strict && relaxed)
    held = { code: 'POLICY_MIXED_RECIPIENTS', params: { strict: strict.recipient, relaxed: relaxed.recipient } }
  const requestRequireTls = input.serverOffersRequireTls === true && relaxed === undefined
  return { decision: held ? 'hold' : 'send', requestRequireTls, held, recipients }
}
