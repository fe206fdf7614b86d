import { ConsentSchema } from './policy-schema.ts'
import { describe, expect, it } from 'vitest'
import {
  consentFor,
  e2eRuleFor,
  evaluatePolicy,
  targetMatches,
  unknownPosture,
  type DomainPosture,
  type PolicyInput,
} from './evaluate.ts'
import { defaultPolicy, normalizeTarget, parseIsoDate, type PolicySettings } from './policy-settings.ts'

const now = new Date('2026-11-25T12:00:00Z')
const input = (
  over: Omit<Partial<PolicyInput>, 'settings'> & { settings?: Partial<PolicySettings> } = {},
): PolicyInput => ({
  submissionHost: 'smtp.kanzlei.de',
  recipients: ['mandant@firma.de'],
  isEndToEnd: false,
  serverOffersRequireTls: true,
  posture: () => unknownPosture,
  now,
  ...over,
  settings: { ...defaultPolicy(), ...over.settings },
})
const rule = (target: string, require: 'e2e' | 'requiretls' | 'mta-sts-or-dane') => ({
  target,
  require,
  by: 'Chefin',
  note: null,
  date: now.toISOString(),
})
const exception = (target: string, expires: string | null = null) => ({
  target,
  reason: 'Mandant hat schriftlich zugestimmt',
  by: 'Chefin',
  date: now.toISOString(),
  expires,
})

describe('evaluatePolicy', () => {
  it('sends and requests REQUIRETLS by default when the server offers it', () => {
    expect(evaluatePolicy(input())).toMatchObject({ decision: 'send', requestRequireTls: true, held: null })
  })

  it('sends without REQUIRETLS by default when the server does not offer it', () => {
    expect(evaluatePolicy(input({ serverOffersRequireTls: false }))).toMatchObject({
      decision: 'send',
      requestRequireTls: false,
    })
  })

  it('holds under requiretls require when the server does not offer it, naming the server', () => {
    const result = evaluatePolicy(input({ serverOffersRequireTls: false, settings: { requiretls: 'require' } }))
    expect(result.held).toEqual({ code: 'SMTP_REQUIRETLS_UNSUPPORTED', params: { host: 'smtp.kanzlei.de' } })
  })

  it('does not decide REQUIRETLS before connecting (the composer view)', () => {
    expect(evaluatePolicy(input({ serverOffersRequireTls: null, settings: { requiretls: 'require' } })).decision).toBe(
      'send',
    )
  })

  it('a per-domain requiretls rule holds and names the rule', () => {
    const result = evaluatePolicy(
      input({ serverOffersRequireTls: false, settings: { rules: [rule('firma.de', 'requiretls')] } }),
    )
    expect(result.held).toMatchObject({
      code: 'POLICY_REQUIRETLS_RULE',
      params: { recipient: 'mandant@firma.de', rule: 'firma.de: requiretls' },
    })
  })

  it('an e2e rule or an e2e consent holds an unencrypted message, not an encrypted one', () => {
    expect(evaluatePolicy(input({ settings: { rules: [rule('mandant@firma.de', 'e2e')] } })).held?.code).toBe(
      'POLICY_E2E_REQUIRED',
    )
    expect(evaluatePolicy(input({ isEndToEnd: true, settings: { rules: [rule('firma.de', 'e2e')] } })).decision).toBe(
      'send',
    )
    const consent = {
      address: 'mandant@firma.de',
      channel: 'e2e' as const,
      by: 'Chefin',
      note: null,
      date: now.toISOString(),
      transmitted: null,
      transmittedOn: null,
      expires: null,
      hasPassword: false,
      current: true,
    }
    expect(evaluatePolicy(input({ settings: { consents: [consent] } })).held?.code).toBe('POLICY_E2E_REQUIRED')
  })

  it('mta-sts-or-dane holds unless the posture is enforce or validated; unknown posture holds only under the rule', () => {
    const settings = { rules: [rule('firma.de', 'mta-sts-or-dane')] }
    const posture = (p: DomainPosture) => () => p
    expect(evaluatePolicy(input({ settings })).held?.code).toBe('POLICY_DOMAIN_NOT_TLS')
    expect(evaluatePolicy(input({ settings, posture: posture({ mtaSts: 'enforce', dane: 'none' }) })).decision).toBe(
      'send',
    )
    expect(
      evaluatePolicy(input({ settings, posture: posture({ mtaSts: 'testing', dane: 'unvalidated' }) })).decision,
    ).toBe('hold')
    expect(evaluatePolicy(input({ settings, posture: posture({ mtaSts: 'none', dane: 'validated' }) })).decision).toBe(
      'send',
    )
    expect(evaluatePolicy(input({ settings, posture: posture({ mtaSts: 'none', dane: 'bogus' }) })).decision).toBe(
      'hold',
    )
    expect(evaluatePolicy(input()).decision).toBe('send')
  })

  it('a tls-exception relaxes recipient-side rules and turns REQUIRETLS off, until it expires', () => {
    const settings = {
      requiretls: 'require' as const,
      rules: [rule('firma.de', 'mta-sts-or-dane'), rule('firma.de', 'requiretls')],
      tlsExceptions: [exception('firma.de', '2026-12-31T23:59:59.999Z')],
    }
    expect(evaluatePolicy(input({ settings, serverOffersRequireTls: false }))).toMatchObject({
      decision: 'send',
      requestRequireTls: false,
    })
    expect(evaluatePolicy(input({ settings, serverOffersRequireTls: true })).requestRequireTls).toBe(false)
    const expired = { ...settings, tlsExceptions: [exception('firma.de', '2026-11-01T00:00:00Z')] }
    expect(evaluatePolicy(input({ settings: expired, serverOffersRequireTls: false })).decision).toBe('hold')
  })

  it('a tls-exception never relaxes an e2e requirement', () => {
    const settings = { rules: [rule('firma.de', 'e2e')], tlsExceptions: [exception('firma.de')] }
    expect(evaluatePolicy(input({ settings })).held?.code).toBe('POLICY_E2E_REQUIRED')
  })

  it('holds a message whose recipients need REQUIRETLS on and off at once', () => {
    const settings = { requiretls: 'require' as const, tlsExceptions: [exception('alt-mx.de')] }
    const result = evaluatePolicy(input({ settings, recipients: ['a@firma.de', 'b@alt-mx.de'] }))
    expect(result.held).toMatchObject({
      code: 'POLICY_MIXED_RECIPIENTS',
      params: { strict: 'a@firma.de', relaxed: 'b@alt-mx.de' },
    })
  })

  it('reports per recipient', () => {
    const result = evaluatePolicy(
      input({ recipients: ['a@firma.de', 'b@other.de'], settings: { rules: [rule('firma.de', 'e2e')] } }),
    )
    expect(result.recipients.map((r) => [r.recipient, r.decision])).toEqual([
      ['a@firma.de', 'hold'],
      ['b@other.de', 'send'],
    ])
  })
})

describe('targets', () => {
  it('matches an address exactly and a domain with its subdomains, case-insensitively', () => {
    expect(targetMatches('firma.de', 'X@Firma.DE')).toBe(true)
    expect(targetMatches('firma.de', 'x@mail.firma.de')).toBe(true)
    expect(targetMatches('firma.de', 'x@notfirma.de')).toBe(false)
    expect(targetMatches('a@firma.de', 'b@firma.de')).toBe(false)
  })

  it('normalizes and validates domains, addresses and dates', () => {
    expect(normalizeTarget(' Firma.DE ')).toBe('firma.de')
    expect(normalizeTarget('A@Firma.de')).toBe('a@firma.de')
    expect(() => normalizeTarget('not a domain')).toThrow(/weder eine Domain|neither a domain/)
    expect(parseIsoDate('2027-12-31')).toBe('2027-12-31T23:59:59.999Z')
    expect(() => parseIsoDate('31.12.2027')).toThrow()
  })
})

describe('consentFor and e2eRuleFor', () => {
  const consent = (address: string, channel: 'e2e' | 'container' | 'tls' | 'plain', expires: string | null = null) =>
    ConsentSchema.parse({ address, channel, by: 'Chefin', note: null, date: now.toISOString(), expires })
  const settings = (consents: ReturnType<typeof consent>[]): PolicySettings => ({ ...defaultPolicy(), consents })

  it('an address entry beats a domain entry, and the closest domain beats a wider one', () => {
    const register = settings([
      consent('firma.de', 'tls'),
      consent('steuer.firma.de', 'plain'),
      consent('chef@firma.de', 'container'),
    ])
    expect(consentFor(register, 'Chef@Firma.de', now).consent?.channel).toBe('container')
    expect(consentFor(register, 'lisa@firma.de', now).consent?.channel).toBe('tls')
    expect(consentFor(register, 'lisa@steuer.firma.de', now).consent?.channel).toBe('plain')
    expect(consentFor(register, 'lisa@andere.de', now)).toEqual({ consent: null, isExpired: false })
  })

  it('an expired entry still applies, as expired (the wider entry does not silently take over)', () => {
    const register = settings([
      consent('firma.de', 'tls'),
      consent('chef@firma.de', 'plain', '2026-01-01T00:00:00.000Z'),
    ])
    expect(consentFor(register, 'chef@firma.de', now)).toMatchObject({
      consent: { address: 'chef@firma.de' },
      isExpired: true,
    })
  })

  it('an e2e rule for the address comes before its domain rule; other requirements are not e2e rules', () => {
    const rules = {
      ...defaultPolicy(),
      rules: [rule('firma.de', 'e2e'), rule('chef@firma.de', 'e2e'), rule('andere.de', 'requiretls')],
    }
    expect(e2eRuleFor(rules, 'chef@firma.de')?.target).toBe('chef@firma.de')
    expect(e2eRuleFor(rules, 'lisa@firma.de')?.target).toBe('firma.de')
    expect(e2eRuleFor(rules, 'lisa@andere.de')).toBeNull()
  })

  it('an e2e consent of the domain holds an unencrypted message to an address there', () => {
    expect(evaluatePolicy(input({ settings: { consents: [consent('firma.de', 'e2e')] } })).held?.code).toBe(
      'POLICY_E2E_REQUIRED',
    )
  })
})
