import { getServers } from 'node:dns'
import { Resolver } from 'node:dns/promises'
import { httpsGet } from '../https-get.ts'
import type { DomainPosture } from '../policy/evaluate.ts'
import { adTrust, parseResolverAddress, queryDnssec, type DnssecAnswer } from './dnssec-query.ts'
import type { MtaStsCache } from './mta-sts-cache.ts'

/**
 * The recipient domain's TLS posture (`check-domain`): MX, MTA-STS (RFC 8461) and DANE TLSA
 * (RFC 7672). MTA-STS and DANE protect the provider→MX hop on port 25, which Siegelpost does not make;
 * this only reports what the recipient domain promises. Every lookup times out within 3 s and yields
 * "unknown" (CLI.md). Resolver and fetcher are arguments, so tests use a local DNS and HTTPS server.
 *
 * DANE honesty: MX and TLSA are asked with the DNSSEC OK bit (dnssec-query.ts); "validated" only when the
 * resolver is on loopback (the admin's local validating resolver) and set the AD bit on the MX answer and
 * on every MX host's TLSA answer. From any other resolver, or without AD, TLSA records are "unvalidated".
 * A SERVFAIL for TLSA from the local resolver is "bogus" (validation failed), never "no TLSA".
 * A port-25 STARTTLS probe is not made (desktop lines often block port 25).
 */
export interface TlsaRecord {
  usage: number
  selector: number
  matchingType: number
  /** Certificate association data, hex. */
  data: string
}

/** Records and whether the resolver set the AD bit on them (believed only when `trust.trusted`). */
export interface SecureRecords<T> {
  records: T[]
  authenticated: boolean
}

export interface DnsLookup {
  resolveMx(domain: string): Promise<SecureRecords<{ exchange: string; priority: number }>>
  resolveTxt(name: string): Promise<string[][]>
  resolveTlsa(name: string): Promise<SecureRecords<TlsaRecord>>
  resolveA(name: string): Promise<string[]>
  /** The resolver asked for MX and TLSA, and whether its AD bit is believed (only on loopback). */
  trust: { resolver: string; trusted: boolean; reason: string }
}

export interface PolicyFetch {
  (host: string, path: string): Promise<{ status: number; contentType: string; body: string }>
}

export interface MtaStsPolicy {
  version: string
  mode: 'enforce' | 'testing' | 'none'
  mx: string[]
  maxAge: number
}

export interface DomainReport {
  domain: string
  mx: { host: string; priority: number }[] | null
  mtaSts: {
    state: DomainPosture['mtaSts']
    id: string | null
    policy: MtaStsPolicy | null
    mxCovered: boolean | null
    reason: string
    /** Where the policy came from: fetched now, or the profile's cache (RFC 8461 §3.3); null without a policy. */
    source: 'fetched' | 'cache' | null
    /** When the policy used expires (fetch time + max_age). */
    expires: string | null
  }
  dane: {
    state: DomainPosture['dane']
    /** Number of TLSA records per MX host. */
    records: Record<string, number>
    reason: string
    /** The TLSA records per MX host. */
    tlsa: Record<string, TlsaRecord[]>
    /** Whether the resolver set the AD bit: on the MX answer (null without one) and per MX host's TLSA answer. */
    authenticated: { mx: boolean | null; tlsa: Record<string, boolean> }
    /** The resolver and whether its AD bit counts (only a loopback resolver's does). */
    resolver: { address: string; adTrusted: boolean; reason: string }
  }
  starttlsProbe: 'not-run'
  posture: DomainPosture
}

export const lookupTimeoutMs = 3000

/** NXDOMAIN → ENOTFOUND, no records → ENODATA, SERVFAIL → ESERVFAIL (with RFC 8914 extended errors), as c-ares says it. */
function recordsOf<D, T>(answer: DnssecAnswer, type: string, convert: (data: D) => T): SecureRecords<T> {
  if (answer.rcode === 'NXDOMAIN') throw Object.assign(new Error('NXDOMAIN'), { code: 'ENOTFOUND' })
  if (answer.rcode !== 'NOERROR') {
    const why = answer.extendedErrors.length > 0 ? ` (${answer.extendedErrors.join('; ')})` : ''
    throw Object.assign(new Error(`${answer.rcode}${why}`), {
      code: `E${answer.rcode}`,
      extendedErrors: answer.extendedErrors,
    })
  }
  const records = answer.answers.filter((a) => a.type === type).map((a) => convert((a as unknown as { data: D }).data))
  if (records.length === 0) throw Object.assign(new Error('no data'), { code: 'ENODATA' })
  return { records, authenticated: answer.ad }
}

/**
 * The resolver: `server` (SIEGELPOST_DNS, HOST[:PORT]) or the system's first one. MX and TLSA go out with
 * the DO bit through dnssec-query.ts; TXT and A (MTA-STS) through Node's resolver.
 */
export function createResolver(server: string | undefined): DnsLookup {
  const resolver = new Resolver({ timeout: lookupTimeoutMs, tries: 1 })
  if (server) resolver.setServers([server])
  const address = parseResolverAddress(server ?? getServers()[0] ?? '127.0.0.1')
  const trust = adTrust(address)
  return {
    resolveMx: async (d) =>
      recordsOf(
        await queryDnssec(address, d, 'MX', lookupTimeoutMs),
        'MX',
        (mx: { exchange: string; preference: number }) => ({ exchange: mx.exchange, priority: mx.preference }),
      ),
    resolveTxt: (n) => resolver.resolveTxt(n),
    resolveTlsa: async (n) =>
      recordsOf(
        await queryDnssec(address, n, 'TLSA', lookupTimeoutMs),
        'TLSA',
        (t: { usage: number; selector: number; matchingType: number; certificate: Buffer }) => ({
          usage: t.usage,
          selector: t.selector,
          matchingType: t.matchingType,
          data: t.certificate.toString('hex'),
        }),
      ),
    resolveA: (n) => resolver.resolve4(n),
    trust: { resolver: `${address.host}:${address.port}`, ...trust },
  }
}

/**
 * HTTPS GET of the policy file (RFC 8461 §3.3): certificate checked against the roots (plus `ca` in
 * tests), no redirects followed, at most 64 KiB, 3 s. `resolve` maps the policy host to an address.
 */
export function createPolicyFetch(
  options: { port?: number; ca?: string; resolve?: (host: string) => Promise<string> } = {},
): PolicyFetch {
  return async (host, path) => {
    const answer = await httpsGet(new URL(`https://${host}${path}`), {
      ...options,
      timeoutMs: lookupTimeoutMs,
      maxBytes: 64 * 1024,
    })
    return { status: answer.status, contentType: answer.contentType, body: answer.body.toString('utf8') }
  }
}

/** RFC 8461 §3.2: "key: value" lines; unknown keys are ignored; mx may repeat. */
export function parseMtaStsPolicy(text: string): MtaStsPolicy | null {
  const fields = new Map<string, string[]>()
  for (const line of text.split(/\r?\n/)) {
    const match = /^([A-Za-z0-9_]+)\s*:\s*(.*?)\s*$/.exec(line)
    if (match) fields.set(match[1]!.toLowerCase(), [...(fields.get(match[1]!.toLowerCase()) ?? []), match[2]!])
  }
  const version = fields.get('version')?.[0]
  const mode = fields.get('mode')?.[0]
  const maxAge = Number(fields.get('max_age')?.[0])
  if (version !== 'STSv1' || (mode !== 'enforce' && mode !== 'testing' && mode !== 'none')) return null
  if (!Number.isInteger(maxAge) || maxAge < 0 || maxAge > 31557600) return null
  const mx = (fields.get('mx') ?? []).map((m) => m.toLowerCase())
  if (mode !== 'none' && mx.length === 0) return null
  return { version, mode, mx, maxAge }
}

/**
 * RFC 8461 §4.1: a pattern `*.example.com` matches exactly one extra left-most label
 * (`mx1.example.com`, not `a.b.example.com` nor `example.com`); otherwise an exact, case-insensitive match.
 */
export function mxMatchesPattern(host: string, pattern: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '')
  const p = pattern.toLowerCase().replace(/\.$/, '')
  if (!p.startsWith('*.')) return h === p
  const suffix = p.slice(1)
  if (!h.endsWith(suffix)) return false
  const label = h.slice(0, h.length - suffix.length)
  return label.length > 0 && !label.includes('.')
}

const usableForSmtp = (t: TlsaRecord) => (t.usage === 2 || t.usage === 3) && t.selector <= 1 && t.matchingType <= 2

/** RFC 8914: extended DNS errors 1–12 are DNSSEC failures (bogus, expired or missing signatures or keys, …). */
const isDnssecFailure = (error: unknown) =>
  ((error as { extendedErrors?: string[] }).extendedErrors ?? []).some((e) => {
    const code = Number(/^EDE (\d+)/.exec(e)?.[1])
    return code >= 1 && code <= 12
  })

const withTimeout = <T>(promise: Promise<T>): Promise<T> =>
  Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), lookupTimeoutMs).unref()),
  ])

const dnsCode = (error: unknown) => String((error as { code?: string }).code ?? (error as Error).message ?? 'error')
const isNoData = (error: unknown) => ['ENODATA', 'ENOTFOUND'].includes(dnsCode(error))

export interface DomainCheckDeps {
  dns: DnsLookup
  fetch: PolicyFetch
  /** The profile's MTA-STS policy cache; without it every check fetches. */
  cache?: MtaStsCache | undefined
  now?: () => Date
}

export async function checkDomain(domain: string, deps: DomainCheckDeps): Promise<DomainReport> {
  const name = domain.toLowerCase().replace(/\.$/, '')
  const now = (deps.now ?? (() => new Date()))()
  let mx: DomainReport['mx'] = null
  let mxAuthenticated: boolean | null = null
  let mxError: unknown = null
  try {
    const answer = await withTimeout(deps.dns.resolveMx(name))
    mx = answer.records
      .map((r) => ({ host: r.exchange.toLowerCase(), priority: r.priority }))
      .sort((a, b) => a.priority - b.priority)
    mxAuthenticated = answer.authenticated
  } catch (error) {
    mx = isNoData(error) ? [] : null
    mxError = error
  }

  type MtaSts = DomainReport['mtaSts']
  const without = (state: MtaSts['state'], id: string | null, reason: string): MtaSts => ({
    state,
    id,
    policy: null,
    mxCovered: null,
    reason,
    source: null,
    expires: null,
  })
  const apply = (
    policy: MtaStsPolicy,
    id: string,
    source: 'fetched' | 'cache',
    expires: string,
    why: string,
  ): MtaSts => {
    const mxCovered =
      mx === null ? null : mx.length > 0 && mx.every((m) => policy.mx.some((p) => mxMatchesPattern(m.host, p)))
    // "enforce" counts only when every MX is covered by the policy: otherwise the domain's own MX would fail it.
    const state = policy.mode === 'enforce' && mxCovered !== true ? ('unknown' as const) : policy.mode
    const reason = mxCovered === false ? 'an MX host is not covered by the policy' : `mode ${policy.mode}`
    return { state, id, policy, mxCovered, reason: why ? `${reason} (${why})` : reason, source, expires }
  }

  // MTA-STS: TXT _mta-sts.<domain> "v=STSv1; id=…" (exactly one), then the policy over HTTPS.
  const mtaSts: MtaSts = await (async () => {
    const cached = deps.cache ? await deps.cache.get(name).catch(() => null) : null
    const live = cached && new Date(cached.expires).getTime() > now.getTime() ? cached : null
    // RFC 8461 §5.1: while a cached policy lives, a failure to discover or fetch a new one does not drop it.
    const orCached = (fallback: MtaSts, why: string): MtaSts =>
      live ? apply(live.policy, live.id, 'cache', live.expires, `cached policy; ${why}`) : fallback
    let records: string[]
    try {
      records = (await withTimeout(deps.dns.resolveTxt(`_mta-sts.${name}`)))
        .map((parts) => parts.join(''))
        .filter((r) => /^v=STSv1\s*;/i.test(r))
    } catch (error) {
      if (isNoData(error)) return orCached(without('none', null, 'no _mta-sts TXT record'), 'no _mta-sts TXT record')
      return orCached(without('unknown', null, `DNS: ${dnsCode(error)}`), `DNS: ${dnsCode(error)}`)
    }
    if (records.length === 0) return orCached(without('none', null, 'no _mta-sts TXT record'), 'no _mta-sts TXT record')
    if (records.length > 1)
      return orCached(without('unknown', null, 'several v=STSv1 TXT records (RFC 8461 §3.1)'), 'several TXT records')
    const id = /(?:^|;)\s*id\s*=\s*([A-Za-z0-9]{1,32})\s*(?:;|$)/.exec(records[0]!)?.[1] ?? null
    if (id === null)
      return orCached(without('unknown', null, 'TXT record without a valid id'), 'TXT record without a valid id')
    if (live && live.id === id) return apply(live.policy, id, 'cache', live.expires, 'cached policy; TXT id unchanged')
    let response: Awaited<ReturnType<PolicyFetch>>
    try {
      response = await withTimeout(deps.fetch(`mta-sts.${name}`, '/.well-known/mta-sts.txt'))
    } catch (error) {
      return orCached(without('unknown', id, `policy fetch: ${dnsCode(error)}`), `policy fetch: ${dnsCode(error)}`)
    }
    if (response.status !== 200)
      return orCached(
        without('unknown', id, `policy fetch: HTTP ${response.status} (redirects are not followed)`),
        `policy fetch: HTTP ${response.status}`,
      )
    if (!/^text\/plain\b/i.test(response.contentType))
      return orCached(without('unknown', id, 'policy is not text/plain'), 'new policy is not text/plain')
    const policy = parseMtaStsPolicy(response.body)
    if (!policy)
      return orCached(without('unknown', id, 'policy does not parse (RFC 8461 §3.2)'), 'new policy does not parse')
    const expires = new Date(now.getTime() + policy.maxAge * 1000).toISOString()
    await deps.cache?.set(name, { id, policy, fetched: now.toISOString(), expires }).catch(() => undefined)
    return apply(policy, id, 'fetched', expires, '')
  })()

  // DANE: TLSA at _25._tcp.<mx> for each MX (RFC 7672 §2.2.1), asked with the DO bit.
  const dane: DomainReport['dane'] = await (async () => {
    const trust = deps.dns.trust
    const base = {
      tlsa: {} as Record<string, TlsaRecord[]>,
      authenticated: { mx: mxAuthenticated, tlsa: {} as Record<string, boolean> },
      resolver: { address: trust.resolver, adTrusted: trust.trusted, reason: trust.reason },
    }
    const records: Record<string, number> = {}
    const report = (state: DomainPosture['dane'], reason: string): DomainReport['dane'] => ({
      state,
      records,
      reason,
      ...base,
    })
    if (mx === null) {
      // The local validating resolver refused the MX records for a DNSSEC reason (it said so with an extended error).
      if (trust.trusted && dnsCode(mxError) === 'ESERVFAIL' && isDnssecFailure(mxError))
        return report(
          'bogus',
          `MX lookup failed DNSSEC validation at the local resolver (${(mxError as Error).message}): DANE fails`,
        )
      return report('unknown', `no MX answer${mxError ? ` (${(mxError as Error).message})` : ''}`)
    }
    if (mx.length === 0) return report('none', 'no MX records')
    const failed: string[] = []
    const bogus: string[] = []
    for (const { host } of mx) {
      try {
        const answer = await withTimeout(deps.dns.resolveTlsa(`_25._tcp.${host}`))
        records[host] = answer.records.length
        base.tlsa[host] = answer.records
        base.authenticated.tlsa[host] = answer.authenticated
      } catch (error) {
        if (isNoData(error)) {
          records[host] = 0
          continue
        }
        // A validating resolver answers SERVFAIL when the signatures do not verify: DANE fails, it is not "no TLSA".
        if (trust.trusted && dnsCode(error) === 'ESERVFAIL') bogus.push(`${host}: ${(error as Error).message}`)
        else failed.push(`${host}: ${dnsCode(error)}`)
      }
    }
    if (bogus.length > 0) {
      return report(
        'bogus',
        `TLSA lookup failed DNSSEC validation at the local resolver (SERVFAIL: bogus or missing signatures, or the zone's servers fail) — ${bogus.join(', ')}: DANE fails; a DANE-enforcing server does not deliver there (RFC 7672 §2.2)`,
      )
    }
    const withTlsa = Object.keys(base.tlsa).filter((host) => base.tlsa[host]!.length > 0)
    if (withTlsa.length === 0)
      return failed.length > 0
        ? report('unknown', `TLSA lookup failed (${failed.join(', ')})`)
        : report('none', 'no TLSA records')
    if (!trust.trusted)
      return report(
        'unvalidated',
        `TLSA records found, but not DNSSEC-validated: ${trust.reason}; not a DANE guarantee`,
      )
    const unauthenticated = withTlsa.filter((host) => !base.authenticated.tlsa[host])
    if (unauthenticated.length > 0) {
      return report(
        'unvalidated',
        `TLSA records found, but not DNSSEC-validated: the local resolver set no AD bit for ${unauthenticated.join(', ')} (unsigned zone, or the resolver does not validate DNSSEC); not a DANE guarantee`,
      )
    }
    if (mxAuthenticated !== true)
      return report(
        'unvalidated',
        'TLSA records validated, but the MX records are not DNSSEC-validated (no AD bit): an attacker could substitute the MX hosts; not a DANE guarantee',
      )
    // RFC 7672 §3.1.3: only DANE-TA(2) and DANE-EE(3) are usable for SMTP; a set of only PKIX-TA/EE(0/1) records is no DANE.
    const unusable = withTlsa.filter((host) => !base.tlsa[host]!.some(usableForSmtp))
    const without = mx.map((m) => m.host).filter((host) => !withTlsa.includes(host) || unusable.includes(host))
    if (without.length > 0 || failed.length > 0) {
      const named = [
        ...without.map((host) =>
          unusable.includes(host) ? `${host}: only TLSA usages 0/1, unusable for SMTP (RFC 7672 §3.1.3)` : host,
        ),
        ...failed,
      ]
      return report(
        'unvalidated',
        `DNSSEC-validated TLSA records, but not usable ones for every MX (${named.join(', ')}): a sending server may deliver via an MX without DANE`,
      )
    }
    return report(
      'validated',
      `DNSSEC-validated MX and TLSA records for every MX (AD bit from the local resolver ${trust.resolver})`,
    )
  })()

  return {
    domain: name,
    mx,
    mtaSts,
    dane,
    starttlsProbe: 'not-run',
    posture: { mtaSts: mtaSts.state, dane: dane.state },
  }
}
