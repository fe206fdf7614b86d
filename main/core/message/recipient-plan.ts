import type { ErrorCode } from '../errors/codes.ts'
import type { ErrorParams } from '../errors/index.ts'
import { summarizeKey, type StoredKey } from '../keys/stored-key.ts'
import { consentFor, e2eRuleFor } from '../policy/evaluate.ts'
import type { Consent, PolicyRule, PolicySettings } from '../policy/policy-settings.ts'
import { isAddress } from './addresses.ts'
import type { MessageTechnology } from './technology.ts'

/**
 * The one per-recipient decision of compose (CLI.md "Sending to several recipients"): S/MIME or
 * OpenPGP when there is a usable key, else the channel the consent register records, else blocked —
 * each with a coded reason. `compose --plan`, `compose --encrypt auto`, `compose --send` and the
 * composer all use it; none of them decides on its own.
 *
 * Order of the inputs: a `policy rule … --require e2e` beats any consent; an address entry in the
 * consent register beats a domain entry; a usable key beats any consent (the register is for the
 * clients who have none). Among usable keys a verified one comes before an unverified one, then the
 * technology of the recipient's last signed mail, then the technology most recipients of this mail
 * can use (fewer separate messages), then the order of `technologies`.
 */
export type EndToEnd = 'smime' | 'openpgp'
export type Protection = EndToEnd | 'container' | 'tls' | 'blocked'
export type RecipientField = 'to' | 'cc' | 'bcc'
export type EncryptMode = 'auto' | 'smime' | 'openpgp' | 'container' | 'none'

export interface PlanRequest {
  from: string
  to: readonly string[]
  cc: readonly string[]
  bcc: readonly string[]
  /** `auto` decides per recipient; `smime`/`openpgp` allow only that technology; `none` only consented TLS. */
  mode: EncryptMode
}

export interface PlanContext {
  keys: readonly StoredKey[]
  technologies: readonly MessageTechnology[]
  policy: PolicySettings
  now: Date
  /** The technology of the recipient's last signed mail, when the sender history knows it. */
  lastSignedTechnology?: (address: string) => EndToEnd | null
}

export interface PlanReason {
  code: ErrorCode
  params: ErrorParams
}

export interface RecipientPlan {
  address: string
  field: RecipientField
  protection: Protection
  reason: PlanReason
  /** The recipient's key the copy is encrypted to (end-to-end only). */
  key: StoredKey | null
  /** The consent entry that applies (also shown when a key made it irrelevant). */
  consent: Consent | null
  /** The `--require e2e` rule that applies. */
  rule: PolicyRule | null
}

/**
 * One message that goes out: recipients with the same protection share one; each Bcc and container
 * recipient has its own.
 */
export interface CopyPlan {
  protection: Exclude<Protection, 'blocked'>
  recipients: RecipientPlan[]
  isBcc: boolean
}

export interface MessagePlan {
  recipients: RecipientPlan[]
  blocked: RecipientPlan[]
  copies: CopyPlan[]
}

export const technologyLabel = (technology: EndToEnd) => (technology === 'smime' ? 'S/MIME' : 'OpenPGP')

const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : '?')

interface Candidate {
  technology: MessageTechnology
  key: StoredKey
}

export function planMessage(request: PlanRequest, context: PlanContext): MessagePlan {
  const from = request.from.trim().toLowerCase()
  const seen = new Set<string>()
  const entries: { address: string; field: RecipientField }[] = []
  for (const [field, list] of [
    ['to', request.to],
    ['cc', request.cc],
    ['bcc', request.bcc],
  ] as const) {
    for (const written of list) {
      const address = written.trim().toLowerCase()
      // The same address twice gets one copy, in its most visible field (To before Cc before Bcc).
      if (seen.has(address)) continue
      seen.add(address)
      entries.push({ address, field })
    }
  }
  const technologies =
    request.mode === 'auto' ? context.technologies : context.technologies.filter((t) => t.technology === request.mode)
  const candidatesOf = (address: string): Candidate[] =>
    !isAddress(address)
      ? []
      : technologies.flatMap((technology) => {
          const key = technology.keyFor(context.keys, address, 'encrypt', context.now)
          // End-to-end copies are encrypted to the sender too: the sender needs an own key of that technology.
          const own = technology.keyFor(context.keys, from, 'encrypt', context.now)
          return key && own ? [{ technology, key }] : []
        })
  const candidates = new Map(entries.map((e) => [e.address, candidatesOf(e.address)]))
  // How many visible recipients each technology reaches: the tie-break that keeps the number of messages low.
  const reach = new Map<string, number>()
  for (const entry of entries.filter((e) => e.field !== 'bcc')) {
    for (const c of candidates.get(entry.address)!)
      reach.set(c.technology.technology, (reach.get(c.technology.technology) ?? 0) + 1)
  }

  const recipients = entries.map(({ address, field }): RecipientPlan => {
    const base = { address, field, key: null, consent: null, rule: null }
    if (!isAddress(address))
      return { ...base, protection: 'blocked', reason: { code: 'RECIPIENT_BAD_ADDRESS', params: { address } } }
    const rule = e2eRuleFor(context.policy, address)
    const { consent, isExpired } = consentFor(context.policy, address, context.now)
    const last = context.lastSignedTechnology?.(address) ?? null
    const usable = [...candidates.get(address)!].sort(
      (a, b) =>
        Number(b.key.acceptance === 'verified') - Number(a.key.acceptance === 'verified') ||
        Number(b.technology.technology === last) - Number(a.technology.technology === last) ||
        (reach.get(b.technology.technology) ?? 0) - (reach.get(a.technology.technology) ?? 0) ||
        context.technologies.indexOf(a.technology) - context.technologies.indexOf(b.technology),
    )
    const chosen = usable[0]
    if (chosen) {
      const technology = chosen.technology.technology
      const params = { technology: technologyLabel(technology), fingerprint: chosen.key.fingerprint }
      const byHistory = usable.length > 1 && technology === last && usable[1]!.key.acceptance === chosen.key.acceptance
      const code = byHistory
        ? 'RECIPIENT_E2E_LAST_SIGNED'
        : chosen.key.acceptance === 'verified'
          ? 'RECIPIENT_E2E_VERIFIED'
          : 'RECIPIENT_E2E_UNVERIFIED'
      return { ...base, protection: technology, reason: { code, params }, key: chosen.key, consent, rule }
    }
    const blocked = (code: ErrorCode, params: ErrorParams): RecipientPlan => ({
      ...base,
      protection: 'blocked',
      reason: { code, params },
      consent,
      rule,
    })
    if (request.mode === 'smime' || request.mode === 'openpgp') {
      return blocked('RECIPIENT_NO_KEY_FOR_MODE', {
        address,
        mode: request.mode,
        technology: technologyLabel(request.mode),
      })
    }
    if (rule) return blocked('RECIPIENT_E2E_RULE_NO_KEY', { address, rule: `${rule.target}: e2e` })
    if (request.mode === 'container') {
      return {
        ...base,
        protection: 'container',
        reason: { code: 'RECIPIENT_CONTAINER_CHOSEN', params: { address } },
        consent,
        rule,
      }
    }
    if (consent && isExpired)
      return blocked('RECIPIENT_CONSENT_EXPIRED', { address, target: consent.address, date: day(consent.expires) })
    if (consent?.channel === 'e2e') return blocked('RECIPIENT_CONSENT_E2E_NO_KEY', { address, date: day(consent.date) })
    if (consent?.channel === 'container') {
      const params = { address, target: consent.address, date: day(consent.date), by: consent.by }
      return {
        ...base,
        protection: 'container',
        reason: { code: 'RECIPIENT_CONTAINER_CONSENT', params },
        consent,
        rule,
      }
    }
    if (consent) {
      const params = { channel: consent.channel, target: consent.address, date: day(consent.date), by: consent.by }
      return { ...base, protection: 'tls', reason: { code: 'RECIPIENT_TLS_CONSENT', params }, consent, rule }
    }
    if (request.mode === 'none') return blocked('RECIPIENT_NO_CONSENT_FOR_PLAIN', { address })
    const why = whyNoKey(address, from, technologies, context)
    return blocked(why.code, why.params)
  })

  return { recipients, blocked: recipients.filter((r) => r.protection === 'blocked'), copies: copiesOf(recipients) }
}

/** Why no key is usable: only expired, revoked or unusable keys, or no own key of that technology. */
function whyNoKey(
  address: string,
  from: string,
  technologies: readonly MessageTechnology[],
  context: PlanContext,
): PlanReason {
  for (const technology of technologies) {
    const theirs = technology.keyFor(context.keys, address, 'encrypt', context.now)
    if (theirs)
      return {
        code: 'RECIPIENT_OWN_KEY_MISSING',
        params: { address, from, technology: technologyLabel(technology.technology) },
      }
  }
  const found = context.keys
    .filter((key) => key.emails.includes(address) && technologies.some((t) => t.technology === key.technology))
    .map((key) => ({ key, status: summarizeKey(key, context.now).status }))
  const label = (key: StoredKey) => technologyLabel(key.technology)
  const expired = found
    .filter((f) => f.status === 'expired')
    .sort((a, b) => Date.parse(b.key.expires!) - Date.parse(a.key.expires!))[0]
  if (expired)
    return {
      code: 'RECIPIENT_KEY_EXPIRED',
      params: { address, technology: label(expired.key), date: day(expired.key.expires) },
    }
  const revoked = found.find((f) => f.status === 'revoked')
  if (revoked) return { code: 'RECIPIENT_KEY_REVOKED', params: { address, technology: label(revoked.key) } }
  const unusable = found[0]
  if (unusable) {
    const reason =
      unusable.key.flags.unusableReason ?? (unusable.key.usage.includes('encrypt') ? unusable.status : 'sign only')
    return { code: 'RECIPIENT_KEY_UNUSABLE', params: { address, technology: label(unusable.key), reason } }
  }
  return { code: 'RECIPIENT_NO_KEY', params: { address } }
}

function copiesOf(recipients: readonly RecipientPlan[]): CopyPlan[] {
  const shared: CopyPlan[] = []
  const own: CopyPlan[] = []
  for (const recipient of recipients) {
    if (recipient.protection === 'blocked') continue
    const protection = recipient.protection
    // Bcc: a copy of its own, so that no copy names a Bcc recipient (in a header or as an encryption recipient).
    if (recipient.field === 'bcc' || protection === 'container') {
      own.push({ protection, recipients: [recipient], isBcc: recipient.field === 'bcc' })
      continue
    }
    const copy = shared.find((c) => c.protection === protection)
    if (copy) copy.recipients.push(recipient)
    else shared.push({ protection, recipients: [recipient], isBcc: false })
  }
  return [...shared, ...own]
}
