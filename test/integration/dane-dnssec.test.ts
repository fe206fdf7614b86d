import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkDomain, createPolicyFetch, createResolver } from '../../main/core/transport/domain-check.ts'
import { parseResolverAddress, queryDnssec } from '../../main/core/transport/dnssec-query.ts'
import { dnssecStackFix, hasDnssecStack, startDnssecStack, type DnssecStack } from '../helpers/dnssec-stack.ts'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt, runCliAsync } from '../helpers/run-cli.ts'

/**
 * DANE with real DNSSEC: NSD serves zones signed by ldns-signzone, Unbound validates them with the zones'
 * DS as trust anchors — both on loopback. `validated` only from Unbound's AD bit; a broken signature
 * makes Unbound answer SERVFAIL, which must read "bogus", never "no TLSA".
 */
const hash = (byte: string) => byte.repeat(32)
const zones = [
  {
    name: 'dane.test',
    records: [
      '@ IN MX 10 mx.dane.test.',
      'mx IN A 127.0.0.7',
      `_25._tcp.mx IN TLSA 3 1 1 ${hash('01')}`,
      // An MX host with more TLSA records than fit into a 1232-byte UDP answer: the client must retry over TCP.
      'many IN MX 10 mx2.dane.test.',
      'mx2 IN A 127.0.0.7',
      ...Array.from(
        { length: 24 },
        (_, i) => `_25._tcp.mx2 IN TLSA 3 1 2 ${i.toString(16).padStart(2, '0').repeat(64)}`,
      ),
      // The MX is signed, the MX host's TLSA is missing: DANE does not cover that MX.
      'half IN MX 10 mx.dane.test.',
      'half IN MX 20 mx3.dane.test.',
      'mx3 IN A 127.0.0.7',
      // Signed, but only PKIX-EE (usage 1) TLSA records: not usable for SMTP (RFC 7672 §3.1.3).
      'pkix IN MX 10 mx4.dane.test.',
      'mx4 IN A 127.0.0.7',
      `_25._tcp.mx4 IN TLSA 1 1 1 ${hash('05')}`,
    ].join('\n'),
  },
  {
    // Signed, then the TLSA data changed: the RRSIG no longer matches.
    name: 'bogus.test',
    records: ['@ IN MX 10 mx.bogus.test.', 'mx IN A 127.0.0.7', `_25._tcp.mx IN TLSA 3 1 1 ${hash('02')}`].join('\n'),
    tamper: (signed: string) => signed.replace(hash('02'), hash('03')),
  },
  {
    // Signed, then the MX target changed: the MX RRset itself is bogus.
    name: 'badmx.test',
    records: [
      '@ IN MX 10 mx.badmx.test.',
      'mx IN A 127.0.0.7',
      'evil IN A 127.0.0.8',
      `_25._tcp.mx IN TLSA 3 1 1 ${hash('06')}`,
    ].join('\n'),
    tamper: (signed: string) => signed.replace(/(IN\tMX\t10 )mx\.badmx\.test\./, '$1evil.badmx.test.'),
  },
  {
    // Not signed, no trust anchor: Unbound answers, but without AD.
    name: 'unsigned.test',
    records: ['@ IN MX 10 mx.unsigned.test.', 'mx IN A 127.0.0.7', `_25._tcp.mx IN TLSA 3 1 1 ${hash('04')}`].join(
      '\n',
    ),
    signed: false,
  },
]

let stack: DnssecStack
let dir: string
const check = (domain: string, server = stack.resolver) =>
  checkDomain(domain, { dns: createResolver(server), fetch: createPolicyFetch() })

describe.skipIf(skipUnless('nsd + unbound + ldns-signzone (as root)', hasDnssecStack, dnssecStackFix))(
  'DANE validated through a local validating resolver',
  () => {
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'sp-dane-'))
      stack = await startDnssecStack(zones)
    }, 60_000)
    afterAll(async () => {
      await stack?.stop()
      if (dir) rmSync(dir, { recursive: true, force: true })
    })

    it('reports "validated" with the TLSA records when the loopback resolver sets AD on MX and TLSA', async () => {
      const report = await check('dane.test')
      expect(report.mx).toEqual([{ host: 'mx.dane.test', priority: 10 }])
      expect(report.dane).toMatchObject({
        state: 'validated',
        records: { 'mx.dane.test': 1 },
        tlsa: { 'mx.dane.test': [{ usage: 3, selector: 1, matchingType: 1, data: hash('01') }] },
        authenticated: { mx: true, tlsa: { 'mx.dane.test': true } },
        resolver: { address: stack.resolver, adTrusted: true },
      })
      expect(report.posture.dane).toBe('validated')
    })

    it('asks again over TCP when the UDP answer is truncated', async () => {
      const answer = await queryDnssec(parseResolverAddress(stack.resolver), '_25._tcp.mx2.dane.test', 'TLSA', 3000)
      expect(answer).toMatchObject({ rcode: 'NOERROR', ad: true, tcp: true })
      expect(answer.answers.filter((a) => a.type === 'TLSA')).toHaveLength(24)
      const report = await check('many.dane.test')
      expect(report.dane).toMatchObject({ state: 'validated', records: { 'mx2.dane.test': 24 } })
    })

    it('reports a SERVFAIL for a tampered TLSA record as "bogus", not as "no TLSA"', async () => {
      const report = await check('bogus.test')
      expect(report.mx).toEqual([{ host: 'mx.bogus.test', priority: 10 }])
      expect(report.dane.state).toBe('bogus')
      // Unbound says why (RFC 8914 EDE 6, DNSSEC Bogus); the report passes it on.
      expect(report.dane.reason).toMatch(
        /failed DNSSEC validation.*mx\.bogus\.test: SERVFAIL \(EDE 6: validation failure/,
      )
      expect(report.dane.records).toEqual({})
      expect(report.posture.dane).toBe('bogus')
      expect(stack.logs()).toMatch(/validation failure <_25\._tcp\.mx\.bogus\.test\. TLSA IN>/)
    })

    it('reports a tampered MX RRset as "bogus" when the local resolver says it failed DNSSEC (EDE), not as a missing answer', async () => {
      const report = await check('badmx.test')
      expect(report.mx).toBeNull()
      expect(report.dane.state).toBe('bogus')
      expect(report.dane.reason).toMatch(/MX lookup failed DNSSEC validation.*EDE 6/)
    })

    it('keeps TLSA records of an unsigned zone "unvalidated" (no AD bit), even from the loopback resolver', async () => {
      const report = await check('unsigned.test')
      expect(report.dane).toMatchObject({
        state: 'unvalidated',
        records: { 'mx.unsigned.test': 1 },
        authenticated: { mx: false, tlsa: { 'mx.unsigned.test': false } },
      })
      expect(report.dane.reason).toMatch(/set no AD bit/)
    })

    it('does not call it validated when one MX host has no TLSA records', async () => {
      const report = await check('half.dane.test')
      expect(report.dane.state).toBe('unvalidated')
      expect(report.dane.reason).toMatch(/not usable ones for every MX \(mx3\.dane\.test\)/)
    })

    it('does not call PKIX-usage TLSA records (0/1) validated DANE for SMTP', async () => {
      const report = await check('pkix.dane.test')
      expect(report.dane).toMatchObject({
        state: 'unvalidated',
        records: { 'mx4.dane.test': 1 },
        authenticated: { mx: true, tlsa: { 'mx4.dane.test': true } },
      })
      expect(report.dane.reason).toMatch(/mx4\.dane\.test: only TLSA usages 0\/1, unusable for SMTP/)
    })

    it('does not believe the AD bit of a resolver that is not on loopback', async () => {
      // The same answers (from Unbound), but as if they had come from a resolver across the network.
      const remote = createResolver('192.0.2.53')
      const report = await checkDomain('dane.test', {
        dns: { ...createResolver(stack.resolver), trust: remote.trust },
        fetch: createPolicyFetch(),
      })
      expect(report.dane).toMatchObject({
        state: 'unvalidated',
        authenticated: { mx: true, tlsa: { 'mx.dane.test': true } },
        resolver: { address: '192.0.2.53:53', adTrusted: false },
      })
      expect(report.dane.reason).toMatch(/192\.0\.2\.53:53 is not on loopback.*cannot be trusted/)
      // Neither is a SERVFAIL from such a resolver proof of bogus signatures.
      const bogus = await checkDomain('bogus.test', {
        dns: { ...createResolver(stack.resolver), trust: remote.trust },
        fetch: createPolicyFetch(),
      })
      expect(bogus.dane.state).toBe('unknown')
    })

    it('runs through the CLI with SIEGELPOST_DNS pointing at the validating resolver', async () => {
      assertBuilt()
      const env = { SIEGELPOST_DNS: stack.resolver }
      const good = await runCliAsync(['check-domain', 'dane.test', '--json', '--profile', join(dir, 'profile')], {
        env,
      })
      expect(good.status, good.stderr).toBe(0)
      expect(JSON.parse(good.stdout)).toMatchObject({
        domain: 'dane.test',
        mtaSts: { state: 'none' },
        dane: {
          state: 'validated',
          records: { 'mx.dane.test': 1 },
          tlsa: { 'mx.dane.test': [{ usage: 3, selector: 1, matchingType: 1, data: hash('01') }] },
        },
        posture: { dane: 'validated' },
      })
      const bad = await runCliAsync(['check-domain', 'bogus.test', '--profile', join(dir, 'profile')], { env })
      expect(bad.status, bad.stderr).toBe(0)
      expect(bad.stdout).toMatch(/DANE: bogus \(/)
    })
  },
)
