import { ConsentSchema } from '../policy/policy-schema.ts'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { skipUnless } from '../../../test/helpers/needs.ts'
import { hasOpenssl, makeTestPki, type TestPki } from '../../../test/helpers/smime-pki.ts'
import { smimeVaultKeys } from '../../../test/helpers/smime-vault.ts'
import type { StoredKey } from '../keys/stored-key.ts'
import { generateOpenpgpKey } from '../openpgp/generate.ts'
import { defaultPolicy, type Consent, type PolicySettings } from '../policy/policy-settings.ts'
import { planMessage, type PlanRequest } from './recipient-plan.ts'
import { messageTechnologies } from './technologies.ts'

// The test CA issues its certificates at the moment the test runs.
const now = new Date(Date.now() + 60_000)
const day = 24 * 3600 * 1000

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))('the per-recipient decision', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-plan-'))
  let pki: TestPki
  /** alice@example.org: the advisor with an S/MIME certificate and an OpenPGP key (both with secret parts). */
  let vault: StoredKey[]
  let aliceSmime: StoredKey
  let franSmime: StoredKey
  let franOpenpgp: StoredKey
  let maxOpenpgp: StoredKey
  let aliceOpenpgp: StoredKey

  const publicPgp = async (
    name: string,
    email: string,
    acceptance: 'verified' | 'unverified' = 'unverified',
  ): Promise<StoredKey> => {
    const key = await generateOpenpgpKey({ name, email, algorithm: 'curve25519', now })
    const { readKey } = await import('openpgp')
    const armored = (await readKey({ armoredKey: String(key.material.armored) })).toPublic().armor()
    return { ...key, hasSecret: false, acceptance, material: { armored } }
  }

  beforeAll(async () => {
    pki = makeTestPki(dir)
    const { own, publicOnly, anchor } = smimeVaultKeys(pki)
    aliceSmime = own(pki.alice)
    franSmime = { ...publicOnly(pki.fran), acceptance: 'unverified' }
    aliceOpenpgp = await generateOpenpgpKey({
      name: 'Alice Beraterin',
      email: 'alice@example.org',
      algorithm: 'curve25519',
      now,
    })
    franOpenpgp = await publicPgp('Fran Mandantin', 'fran@example.org')
    maxOpenpgp = await publicPgp('Max Mandant', 'max@mandant.test', 'verified')
    vault = [aliceSmime, aliceOpenpgp, franSmime, franOpenpgp, maxOpenpgp, ...anchor]
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const consent = (address: string, channel: Consent['channel'], over: Partial<Consent> = {}): Consent =>
    ConsentSchema.parse({ address, channel, by: 'Chefin', note: null, date: '2026-11-01T10:00:00.000Z', ...over })
  const plan = (
    request: Partial<PlanRequest>,
    options: { keys?: StoredKey[]; policy?: Partial<PolicySettings>; last?: Record<string, 'smime' | 'openpgp'> } = {},
  ) =>
    planMessage(
      { from: 'alice@example.org', to: [], cc: [], bcc: [], mode: 'auto', ...request },
      {
        keys: options.keys ?? vault,
        technologies: messageTechnologies,
        policy: { ...defaultPolicy(), ...options.policy },
        now,
        lastSignedTechnology: (address) => options.last?.[address] ?? null,
      },
    )
  const one = (...args: Parameters<typeof plan>) => plan(...args).recipients[0]!
  const rule = (target: string) => ({
    target,
    require: 'e2e' as const,
    by: 'Chefin',
    note: null,
    date: now.toISOString(),
  })

  it('S/MIME for a recipient with only a certificate, OpenPGP for one with only a key — each with the key and why', () => {
    const withoutFranPgp = vault.filter((k) => k !== franOpenpgp)
    expect(one({ to: ['fran@example.org'] }, { keys: withoutFranPgp })).toMatchObject({
      protection: 'smime',
      key: { fingerprint: franSmime.fingerprint },
      reason: {
        code: 'RECIPIENT_E2E_UNVERIFIED',
        params: { technology: 'S/MIME', fingerprint: franSmime.fingerprint },
      },
    })
    expect(one({ to: ['max@mandant.test'] })).toMatchObject({
      protection: 'openpgp',
      key: { fingerprint: maxOpenpgp.fingerprint },
      reason: { code: 'RECIPIENT_E2E_VERIFIED' },
    })
  })

  it('with both: a verified key before an unverified one, then the technology of the last signed mail', () => {
    const verifiedPgp = vault.map((k) => (k === franOpenpgp ? { ...k, acceptance: 'verified' as const } : k))
    expect(
      one({ to: ['fran@example.org'] }, { keys: verifiedPgp, last: { 'fran@example.org': 'smime' } }),
    ).toMatchObject({ protection: 'openpgp', reason: { code: 'RECIPIENT_E2E_VERIFIED' } })
    expect(one({ to: ['fran@example.org'] }, { last: { 'fran@example.org': 'smime' } })).toMatchObject({
      protection: 'smime',
      reason: { code: 'RECIPIENT_E2E_LAST_SIGNED' },
    })
    expect(one({ to: ['fran@example.org'] }, { last: { 'fran@example.org': 'openpgp' } })).toMatchObject({
      protection: 'openpgp',
      reason: { code: 'RECIPIENT_E2E_LAST_SIGNED' },
    })
  })

  it('with both and no history: the technology the other recipients can use too, so the mail needs fewer messages', () => {
    const result = plan({ to: ['fran@example.org', 'max@mandant.test'] })
    expect(result.recipients.map((r) => r.protection)).toEqual(['openpgp', 'openpgp'])
    expect(result.copies).toHaveLength(1)
  })

  it('no key: TLS only with a documented tls or plain consent, else blocked with the reason', () => {
    expect(one({ to: ['neu@firma.de'] }, { policy: { consents: [consent('neu@firma.de', 'tls')] } })).toMatchObject({
      protection: 'tls',
      key: null,
      consent: { channel: 'tls' },
      reason: {
        code: 'RECIPIENT_TLS_CONSENT',
        params: { channel: 'tls', target: 'neu@firma.de', date: '2026-11-01', by: 'Chefin' },
      },
    })
    expect(one({ to: ['neu@firma.de'] }, { policy: { consents: [consent('neu@firma.de', 'plain')] } })).toMatchObject({
      protection: 'tls',
      reason: { code: 'RECIPIENT_TLS_CONSENT' },
    })
    expect(one({ to: ['neu@firma.de'] })).toMatchObject({
      protection: 'blocked',
      reason: { code: 'RECIPIENT_NO_KEY', params: { address: 'neu@firma.de' } },
    })
  })

  it('a usable key beats any consent', () => {
    expect(
      one({ to: ['max@mandant.test'] }, { policy: { consents: [consent('max@mandant.test', 'plain')] } }),
    ).toMatchObject({ protection: 'openpgp', consent: { channel: 'plain' } })
  })

  it('a recipient whose only key is expired or revoked is blocked with that reason (a consent still allows TLS)', () => {
    const expired = { ...maxOpenpgp, expires: new Date(now.getTime() - 3 * day).toISOString() }
    const keys = [aliceSmime, aliceOpenpgp, expired]
    expect(one({ to: ['max@mandant.test'] }, { keys })).toMatchObject({
      protection: 'blocked',
      reason: { code: 'RECIPIENT_KEY_EXPIRED', params: { technology: 'OpenPGP', date: expired.expires.slice(0, 10) } },
    })
    const revoked = { ...maxOpenpgp, flags: { revoked: true, unusableReason: null } }
    expect(one({ to: ['max@mandant.test'] }, { keys: [aliceSmime, aliceOpenpgp, revoked] })).toMatchObject({
      protection: 'blocked',
      reason: { code: 'RECIPIENT_KEY_REVOKED' },
    })
    const signOnly = { ...maxOpenpgp, usage: ['sign'] }
    expect(one({ to: ['max@mandant.test'] }, { keys: [aliceSmime, aliceOpenpgp, signOnly] })).toMatchObject({
      protection: 'blocked',
      reason: { code: 'RECIPIENT_KEY_UNUSABLE', params: { reason: 'sign only' } },
    })
    expect(
      one({ to: ['max@mandant.test'] }, { keys, policy: { consents: [consent('max@mandant.test', 'tls')] } }),
    ).toMatchObject({ protection: 'tls' })
  })

  it('blocks an invalid address', () => {
    for (const address of ['kein-at-zeichen', 'a@b', 'zwei@@firma.de', 'name <a@firma.de>']) {
      expect(one({ to: [address] }), address).toMatchObject({
        protection: 'blocked',
        reason: { code: 'RECIPIENT_BAD_ADDRESS' },
      })
    }
  })

  it('a policy rule requiring e2e beats any consent (address or domain rule); with a key it is simply e2e', () => {
    for (const target of ['firma.de', 'neu@firma.de']) {
      const result = one(
        { to: ['neu@firma.de'] },
        { policy: { rules: [rule(target)], consents: [consent('neu@firma.de', 'tls')] } },
      )
      expect(result, target).toMatchObject({
        protection: 'blocked',
        rule: { target },
        reason: { code: 'RECIPIENT_E2E_RULE_NO_KEY', params: { rule: `${target}: e2e` } },
      })
    }
    expect(one({ to: ['max@mandant.test'] }, { policy: { rules: [rule('mandant.test')] } })).toMatchObject({
      protection: 'openpgp',
      rule: { target: 'mandant.test' },
    })
  })

  it('an address entry in the consent register beats a domain entry, both ways', () => {
    const domainTls = [consent('firma.de', 'tls'), consent('neu@firma.de', 'container')]
    expect(one({ to: ['neu@firma.de'] }, { policy: { consents: domainTls } })).toMatchObject({
      protection: 'container',
      consent: { address: 'neu@firma.de' },
      reason: { code: 'RECIPIENT_CONTAINER_CONSENT', params: { target: 'neu@firma.de' } },
    })
    const addressTls = [consent('neu@firma.de', 'tls'), consent('firma.de', 'container')]
    expect(one({ to: ['neu@firma.de'] }, { policy: { consents: addressTls } })).toMatchObject({
      protection: 'tls',
      reason: { params: { target: 'neu@firma.de' } },
    })
    // The domain entry covers the other addresses at that domain (and its subdomains).
    expect(one({ to: ['andere@steuer.firma.de'] }, { policy: { consents: domainTls } })).toMatchObject({
      protection: 'tls',
      reason: { params: { target: 'firma.de' } },
    })
  })

  it('a container consent gives the password PDF; e2e consents without a key, and an expired consent, are blocked', () => {
    expect(
      one({ to: ['neu@firma.de'] }, { policy: { consents: [consent('neu@firma.de', 'container')] } }),
    ).toMatchObject({ protection: 'container', reason: { code: 'RECIPIENT_CONTAINER_CONSENT' } })
    expect(one({ to: ['neu@firma.de'] }, { policy: { consents: [consent('neu@firma.de', 'e2e')] } })).toMatchObject({
      protection: 'blocked',
      reason: { code: 'RECIPIENT_CONSENT_E2E_NO_KEY' },
    })
    const expired = consent('neu@firma.de', 'tls', { expires: new Date(now.getTime() - day).toISOString() })
    expect(one({ to: ['neu@firma.de'] }, { policy: { consents: [expired] } })).toMatchObject({
      protection: 'blocked',
      reason: { code: 'RECIPIENT_CONSENT_EXPIRED' },
    })
    const later = consent('neu@firma.de', 'tls', { expires: new Date(now.getTime() + day).toISOString() })
    expect(one({ to: ['neu@firma.de'] }, { policy: { consents: [later] } })).toMatchObject({ protection: 'tls' })
  })

  it('a key of a technology the sender has no own key of cannot be used (the copy is encrypted to the sender too)', () => {
    expect(one({ to: ['max@mandant.test'] }, { keys: [aliceSmime, maxOpenpgp] })).toMatchObject({
      protection: 'blocked',
      reason: { code: 'RECIPIENT_OWN_KEY_MISSING', params: { technology: 'OpenPGP', from: 'alice@example.org' } },
    })
  })

  it('--encrypt smime|openpgp|none|container narrow the decision', () => {
    expect(one({ to: ['max@mandant.test'], mode: 'smime' })).toMatchObject({
      protection: 'blocked',
      reason: { code: 'RECIPIENT_NO_KEY_FOR_MODE', params: { technology: 'S/MIME' } },
    })
    expect(one({ to: ['fran@example.org'], mode: 'smime' })).toMatchObject({ protection: 'smime' })
    expect(one({ to: ['max@mandant.test'], mode: 'none' })).toMatchObject({
      protection: 'blocked',
      reason: { code: 'RECIPIENT_NO_CONSENT_FOR_PLAIN' },
    })
    expect(
      one({ to: ['max@mandant.test'], mode: 'none' }, { policy: { consents: [consent('mandant.test', 'plain')] } }),
    ).toMatchObject({ protection: 'tls' })
    expect(one({ to: ['max@mandant.test'], mode: 'container' })).toMatchObject({
      protection: 'container',
      reason: { code: 'RECIPIENT_CONTAINER_CHOSEN' },
    })
  })

  it('splits into one message per protection for To and Cc, and one of its own for each Bcc recipient', () => {
    const withoutFranPgp = vault.filter((k) => k !== franOpenpgp)
    const result = plan(
      {
        to: ['fran@example.org', 'max@mandant.test', 'neu@firma.de'],
        cc: ['Alice@Example.org'],
        bcc: ['archiv@firma.de', 'max@mandant.test', 'fran@example.org'],
      },
      { keys: withoutFranPgp, policy: { consents: [consent('firma.de', 'tls')] } },
    )
    expect(result.blocked).toEqual([])
    // The same address twice gets one copy, in its most visible field.
    expect(result.recipients.map((r) => [r.address, r.field, r.protection])).toEqual([
      ['fran@example.org', 'to', 'smime'],
      ['max@mandant.test', 'to', 'openpgp'],
      ['neu@firma.de', 'to', 'tls'],
      // Both technologies reach two visible recipients: the order of the technologies decides.
      ['alice@example.org', 'cc', 'openpgp'],
      ['archiv@firma.de', 'bcc', 'tls'],
    ])
    expect(result.copies.map((c) => [c.protection, c.isBcc, c.recipients.map((r) => r.address)])).toEqual([
      ['smime', false, ['fran@example.org']],
      ['openpgp', false, ['max@mandant.test', 'alice@example.org']],
      ['tls', false, ['neu@firma.de']],
      ['tls', true, ['archiv@firma.de']],
    ])
  })
})
