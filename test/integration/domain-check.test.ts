import { Resolver } from 'node:dns/promises'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  checkDomain,
  createPolicyFetch,
  createResolver,
  mxMatchesPattern,
  parseMtaStsPolicy,
} from '../../main/core/transport/domain-check.ts'
import { MtaStsCacheFile } from '../../main/core/transport/mta-sts-cache.ts'
import { randomBytes } from 'node:crypto'
import { defaultPolicy } from '../../main/core/policy/policy-settings.ts'
import type { Account } from '../../main/core/transport/account.ts'
import { Outbox } from '../../main/core/transport/outbox.ts'
import { enqueueAndSend, type SendDeps } from '../../main/core/transport/send.ts'
import { startDnsServer, type Zone } from '../helpers/dns-server.ts'
import { startSmtpServer } from '../helpers/hostile-servers.ts'
import { assertBuilt, runCliAsync } from '../helpers/run-cli.ts'
import { issueFromTestCa, makeTestPki } from '../helpers/test-pki.ts'

/** check-domain against a local DNS server and a local HTTPS MTA-STS policy server on loopback. */
const policies: Record<string, { status: number; body: string; type?: string }> = {
  'mta-sts.firma.test': {
    status: 200,
    body: 'version: STSv1\r\nmode: enforce\r\nmx: *.firma.test\r\nmax_age: 86400\r\n',
  },
  'mta-sts.deep.test': { status: 200, body: 'version: STSv1\nmode: enforce\nmx: *.deep.test\nmax_age: 86400\n' },
  'mta-sts.testing.test': { status: 200, body: 'version: STSv1\nmode: testing\nmx: mx.testing.test\nmax_age: 600\n' },
  'mta-sts.redirect.test': { status: 301, body: '' },
  'mta-sts.html.test': {
    status: 200,
    body: 'version: STSv1\nmode: enforce\nmx: mx.html.test\nmax_age: 600\n',
    type: 'text/html',
  },
  'mta-sts.cached.test': { status: 200, body: 'version: STSv1\nmode: enforce\nmx: mx.cached.test\nmax_age: 3600\n' },
}
/** Policy hosts in the order the HTTPS server was asked. */
const fetched: string[] = []
const txt = (id: string) => ({ TXT: [`v=STSv1; id=${id}`] })
const zones: Record<string, Zone> = {
  'cached.test': { MX: [{ exchange: 'mx.cached.test', preference: 10 }] },
  '_mta-sts.cached.test': txt('a1'),
  'firma.test': {
    MX: [
      { exchange: 'mx1.firma.test', preference: 10 },
      { exchange: 'mx2.firma.test', preference: 20 },
    ],
  },
  '_mta-sts.firma.test': txt('20261125'),
  '_25._tcp.mx1.firma.test': { TLSA: [{ usage: 3, selector: 1, matchingType: 1, certificate: Buffer.alloc(32, 7) }] },
  'deep.test': { MX: [{ exchange: 'a.b.deep.test', preference: 10 }] },
  '_mta-sts.deep.test': txt('1'),
  'testing.test': { MX: [{ exchange: 'mx.testing.test', preference: 10 }] },
  '_mta-sts.testing.test': txt('2'),
  'redirect.test': { MX: [{ exchange: 'mx.redirect.test', preference: 10 }] },
  '_mta-sts.redirect.test': txt('3'),
  'html.test': { MX: [{ exchange: 'mx.html.test', preference: 10 }] },
  '_mta-sts.html.test': txt('4'),
  'plain.test': { MX: [{ exchange: 'mx.plain.test', preference: 10 }] },
  'twice.test': { MX: [{ exchange: 'mx.twice.test', preference: 10 }] },
  '_mta-sts.twice.test': { TXT: ['v=STSv1; id=1', 'v=STSv1; id=2'] },
  ...Object.fromEntries(Object.keys(policies).map((host) => [host, { A: ['127.0.0.1'] }])),
}

let dir: string
let dns: Awaited<ReturnType<typeof startDnsServer>>
let https: Server
let deps: Parameters<typeof checkDomain>[1]
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sp-domain-'))
  const pki = makeTestPki(join(dir, 'pki'))
  const cert = issueFromTestCa(pki, 'mta-sts', Object.keys(policies))
  dns = await startDnsServer(zones)
  https = createServer({ key: cert.key, cert: cert.cert }, (request, response) => {
    fetched.push(String(request.headers.host).split(':')[0]!)
    const policy = policies[String(request.headers.host).split(':')[0]!]
    if (!policy || request.url !== '/.well-known/mta-sts.txt') return response.writeHead(404).end()
    response
      .writeHead(policy.status, {
        'content-type': policy.type ?? 'text/plain',
        ...(policy.status === 301 ? { location: 'https://evil.test/' } : {}),
      })
      .end(policy.body)
  })
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', () => resolve()))
  const a = new Resolver({ timeout: 3000, tries: 1 })
  a.setServers([dns.address])
  deps = {
    dns: createResolver(dns.address),
    fetch: createPolicyFetch({
      port: (https.address() as { port: number }).port,
      ca: pki.caPem,
      resolve: async (host) => (await a.resolve4(host))[0]!,
    }),
  }
})
afterAll(async () => {
  await dns?.close()
  await new Promise((resolve) => https?.close(resolve))
  rmSync(dir, { recursive: true, force: true })
})

describe('check-domain', () => {
  it('finds MX, an enforced MTA-STS policy covering every MX, and TLSA records it cannot validate', async () => {
    const report = await checkDomain('Firma.test', deps)
    expect(report.mx).toEqual([
      { host: 'mx1.firma.test', priority: 10 },
      { host: 'mx2.firma.test', priority: 20 },
    ])
    expect(report.mtaSts).toMatchObject({
      state: 'enforce',
      id: '20261125',
      mxCovered: true,
      policy: { mode: 'enforce', mx: ['*.firma.test'], maxAge: 86400 },
    })
    expect(report.dane).toMatchObject({ state: 'unvalidated', records: { 'mx1.firma.test': 1, 'mx2.firma.test': 0 } })
    expect(report.dane.reason).toMatch(/not DNSSEC-validated: the local resolver set no AD bit for mx1\.firma\.test/)
    // A loopback resolver's AD bit would count, but this unsigned server sets none.
    expect(report.dane).toMatchObject({
      resolver: { address: dns.address, adTrusted: true },
      authenticated: { mx: false, tlsa: { 'mx1.firma.test': false } },
    })
    expect(report.dane.tlsa['mx1.firma.test']).toEqual([
      { usage: 3, selector: 1, matchingType: 1, data: '07'.repeat(32) },
    ])
    expect(report.posture).toEqual({ mtaSts: 'enforce', dane: 'unvalidated' })
  })

  it('applies the one-label wildcard rule: *.deep.test does not cover a.b.deep.test, so enforce does not count', async () => {
    const report = await checkDomain('deep.test', deps)
    expect(report.mtaSts).toMatchObject({ state: 'unknown', mxCovered: false })
  })

  it.each([
    ['testing.test', 'testing', /mode testing/],
    ['redirect.test', 'unknown', /HTTP 301/],
    ['html.test', 'unknown', /text\/plain/],
    ['twice.test', 'unknown', /several/],
    ['plain.test', 'none', /no _mta-sts/],
  ])('%s → MTA-STS %s', async (domain, state, reason) => {
    const report = await checkDomain(domain, deps)
    expect(report.mtaSts.state).toBe(state)
    expect(report.mtaSts.reason).toMatch(reason)
  })

  it('says "unknown", not "none", when DNS does not answer', async () => {
    const report = await checkDomain('firma.test', { dns: createResolver('127.0.0.1:9'), fetch: deps.fetch })
    expect(report.mx).toBeNull()
    expect(report.posture).toEqual({ mtaSts: 'unknown', dane: 'unknown' })
  })

  it('runs through the CLI with SIEGELPOST_DNS', async () => {
    assertBuilt()
    const run = await runCliAsync(['check-domain', 'plain.test', '--json', '--profile', join(dir, 'profile')], {
      env: { SIEGELPOST_DNS: dns.address },
    })
    expect(run.status, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({
      domain: 'plain.test',
      mx: [{ host: 'mx.plain.test' }],
      mtaSts: { state: 'none' },
      dane: { state: 'none' },
      starttlsProbe: 'not-run',
    })
  })

  it('still runs (uncached) when the profile vault cannot be opened', async () => {
    writeFileSync(join(dir, 'vault-pass'), 'domain-check-vault\n')
    const profile = join(dir, 'locked-profile')
    expect(
      (await runCliAsync(['keys', 'list', '--profile', profile, '--vault-passphrase-file', join(dir, 'vault-pass')]))
        .status,
    ).toBe(0)
    const run = await runCliAsync(['check-domain', 'plain.test', '--json', '--profile', profile], {
      env: { SIEGELPOST_DNS: dns.address },
    })
    expect(run.status, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ domain: 'plain.test', mtaSts: { state: 'none', source: null } })
  })
})

describe('the MTA-STS policy cache (RFC 8461 §3.3, §5.1)', () => {
  it('keeps a policy for its max_age: no refetch for an unchanged id, no downgrade when the policy host or the TXT record disappears', async () => {
    let clock = new Date('2026-11-25T10:00:00Z')
    const cache = new MtaStsCacheFile(join(dir, 'cache-profile'), randomBytes(32), () => clock)
    const check = () => checkDomain('cached.test', { ...deps, cache, now: () => clock })
    const fetches = () => fetched.filter((host) => host === 'mta-sts.cached.test').length

    const first = await check()
    expect(first.mtaSts).toMatchObject({
      state: 'enforce',
      id: 'a1',
      source: 'fetched',
      expires: '2026-11-25T11:00:00.000Z',
    })
    expect(fetches()).toBe(1)

    const again = await check()
    expect(again.mtaSts).toMatchObject({ state: 'enforce', source: 'cache', mxCovered: true })
    expect(again.mtaSts.reason).toMatch(/TXT id unchanged/)
    expect(fetches()).toBe(1)

    // A new id whose policy cannot be fetched (blocked, or an attacker): the cached enforce stays.
    zones['_mta-sts.cached.test'] = txt('a2')
    policies['mta-sts.cached.test']!.status = 404
    const blocked = await check()
    expect(blocked.mtaSts).toMatchObject({ state: 'enforce', source: 'cache', id: 'a1' })
    expect(blocked.mtaSts.reason).toMatch(/cached policy; policy fetch: HTTP 404/)
    expect(fetches()).toBe(2)

    // The TXT record stripped: still the cached policy until it expires.
    delete zones['_mta-sts.cached.test']
    expect((await check()).mtaSts).toMatchObject({
      state: 'enforce',
      source: 'cache',
      reason: expect.stringMatching(/no _mta-sts TXT record/),
    })

    // A new id with a policy that fetches: it replaces the cached one.
    zones['_mta-sts.cached.test'] = txt('a3')
    policies['mta-sts.cached.test'] = {
      status: 200,
      body: 'version: STSv1\nmode: testing\nmx: mx.cached.test\nmax_age: 600\n',
    }
    clock = new Date('2026-11-25T10:30:00Z')
    expect((await check()).mtaSts).toMatchObject({
      state: 'testing',
      id: 'a3',
      source: 'fetched',
      expires: '2026-11-25T10:40:00.000Z',
    })
    expect((await check()).mtaSts).toMatchObject({ state: 'testing', source: 'cache' })

    // Past max_age, without a TXT record: the policy is gone.
    delete zones['_mta-sts.cached.test']
    clock = new Date('2026-11-25T10:41:00Z')
    expect((await check()).mtaSts).toMatchObject({ state: 'none', source: null, policy: null })

    // The cache names recipient domains: sealed on disk.
    expect(readFileSync(cache.path).includes('cached.test')).toBe(false)
    expect(
      await new MtaStsCacheFile(join(dir, 'cache-profile'), randomBytes(32), () => clock).get('cached.test'),
    ).toBeNull()
  })
})

describe('a mta-sts-or-dane rule at send time', () => {
  it('sends to a domain with an enforced MTA-STS policy and holds one without, naming the rule', async () => {
    const pki = makeTestPki(join(dir, 'pki-send'))
    const server = await startSmtpServer({ secure: true, key: pki.good.key, cert: pki.good.cert })
    try {
      const settings = {
        ...defaultPolicy(),
        rules: [
          { target: 'firma.test', require: 'mta-sts-or-dane' as const, by: 'Chefin', note: null, date: '' },
          { target: 'plain.test', require: 'mta-sts-or-dane' as const, by: 'Chefin', note: null, date: '' },
        ],
      }
      const outbox = new Outbox({
        profileDir: join(dir, 'outbox'),
        key: randomBytes(32),
        now: () => new Date(),
        owner: String(process.pid),
        isAlive: () => false,
      })
      const account: Account = {
        name: 'a',
        email: 'a@kanzlei.test',
        user: 'a',
        smtp: { host: '127.0.0.1', port: server.port, security: 'tls' },
        imap: { host: '127.0.0.1', port: 9, security: 'tls' },
        ca: pki.caPem,
        pin: null,
        password: { store: 'sealed', value: 'pw' },
        created: '',
      }
      const sendDeps: SendDeps = {
        outbox,
        account: async () => account,
        password: async () => 'pw',
        policy: async () => settings,
        appendSent: async () => ({ folder: 'Sent' }),
        checkPosture: async (domain) => (await checkDomain(domain, deps)).posture,
        now: () => new Date(),
      }
      const mail = (to: string) => Buffer.from(`From: a@kanzlei.test\r\nTo: ${to}\r\nSubject: x\r\n\r\nx\r\n`)
      expect((await enqueueAndSend(sendDeps, mail('x@firma.test'), 'm.eml', 'a')).state).toBe('sent')
      const held = await enqueueAndSend(sendDeps, mail('x@plain.test'), 'm.eml', 'a')
      expect(held).toMatchObject({
        state: 'held',
        reason: {
          code: 'POLICY_DOMAIN_NOT_TLS',
          params: { recipient: 'x@plain.test', rule: 'plain.test: mta-sts-or-dane' },
        },
      })
      expect(server.record.messages).toHaveLength(1)
      outbox.close()
    } finally {
      await server.close()
    }
  })
})

describe('MTA-STS parsing (RFC 8461)', () => {
  it('matches wildcards on exactly one label', () => {
    expect(mxMatchesPattern('mx1.example.com', '*.example.com')).toBe(true)
    expect(mxMatchesPattern('MX1.Example.COM.', '*.example.com')).toBe(true)
    expect(mxMatchesPattern('a.b.example.com', '*.example.com')).toBe(false)
    expect(mxMatchesPattern('example.com', '*.example.com')).toBe(false)
    expect(mxMatchesPattern('mx.example.com', 'mx.example.com')).toBe(true)
    expect(mxMatchesPattern('mx.example.com.evil.test', '*.example.com')).toBe(false)
  })

  it('refuses malformed policies', () => {
    expect(parseMtaStsPolicy('version: STSv1\nmode: enforce\nmax_age: 10\n')).toBeNull()
    expect(parseMtaStsPolicy('version: STSv2\nmode: enforce\nmx: a\nmax_age: 10\n')).toBeNull()
    expect(parseMtaStsPolicy('version: STSv1\nmode: strict\nmx: a\nmax_age: 10\n')).toBeNull()
    expect(parseMtaStsPolicy('version: STSv1\nmode: none\nmax_age: 10\n')).toMatchObject({ mode: 'none', mx: [] })
  })
})
