import { isIP } from 'node:net'
import { SiegelpostError } from '../errors/index.ts'
import { limits } from '../limits.ts'
import type { OcspTransport } from './ocsp.ts'
import type { CrlFetcher } from './revocation.ts'

/**
 * The real network side of revocation checking (CLI.md: CRL/OCSP lookups time out within 3 s and
 * yield "unknown"): plain HTTP only (CRLs and OCSP answers are signed; https would need revocation
 * checking itself), no redirects, size-capped bodies. Every failure is `null` = unreachable, which
 * the caller treats as soft-fail.
 *
 * `SIEGELPOST_NETWORK=loopback-only` (the test run sets it) refuses every URL whose host is not a
 * literal 127.0.0.0/8 address or `localhost` before any DNS lookup or socket: certificates from
 * corpora name real CRL/OCSP servers, and tests must never leave the machine.
 */
export type NetworkPolicy = 'any' | 'loopback-only'

export function networkPolicyFrom(env: Readonly<Record<string, string | undefined>>): NetworkPolicy {
  return env.SIEGELPOST_NETWORK === 'loopback-only' ? 'loopback-only' : 'any'
}

/** The host is a literal 127.0.0.0/8 address or exactly `localhost` (WHATWG URL normalizes 127.1, 0x7f.1, …). */
export function isLoopbackUrl(url: string): boolean {
  let host: string
  try {
    host = new URL(url).hostname.toLowerCase()
  } catch {
    return false
  }
  if (host === 'localhost') return true
  return isIP(host) === 4 && host.split('.')[0] === '127'
}

export interface HttpRevocationOptions {
  policy: NetworkPolicy
  /** The HTTP client (globalThis.fetch in the app); only ever called for allowed URLs. */
  fetch?: typeof fetch
  timeoutMs?: number
}

export interface RevocationFetchers {
  crl: CrlFetcher
  ocsp: OcspTransport
}

export function httpRevocationFetchers(options: HttpRevocationOptions): RevocationFetchers {
  const timeoutMs = options.timeoutMs ?? limits.revocationFetchTimeoutMs
  const allowed = (url: string) => /^http:\/\//i.test(url) && (options.policy === 'any' || isLoopbackUrl(url))
  const request = async (url: string, init: RequestInit): Promise<Uint8Array | null> => {
    if (!allowed(url)) return null
    const client = options.fetch ?? fetch
    try {
      const response = await client(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' })
      if (!response.ok) return null
      const declared = Number(response.headers.get('content-length') ?? '0')
      if (declared > limits.crlMaxBytes) throw new SiegelpostError('FILE_TOO_LARGE', { path: url, limit: `${limits.crlMaxBytes / 1024 / 1024} MiB` })
      const body = new Uint8Array(await response.arrayBuffer())
      return body.length > limits.crlMaxBytes ? null : body
    } catch {
      return null
    }
  }
  return {
    crl: (url) => request(url, {}),
    ocsp: (url, body) => request(url, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: Buffer.from(body) }),
  }
}

/** The process's own fetchers: the policy is read from the environment at every call (tests set it). */
const fromEnvironment = () => httpRevocationFetchers({ policy: networkPolicyFrom(process.env) })
export const httpCrlFetcher: CrlFetcher = (url) => fromEnvironment().crl(url)
export const httpOcspTransport: OcspTransport = (url, request) => fromEnvironment().ocsp(url, request)
