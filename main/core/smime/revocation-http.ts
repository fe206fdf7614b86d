import { SiegelpostError } from '../errors/index.ts'
import { limits } from '../limits.ts'
import { allowsUrl, networkPolicyFrom, type NetworkPolicy } from '../network-policy.ts'
import type { OcspTransport } from './ocsp.ts'
import type { CrlFetcher } from './revocation.ts'

/**
 * The real network side of revocation checking (CLI.md: CRL/OCSP lookups time out within 3 s and
 * yield "unknown"): plain HTTP only (CRLs and OCSP answers are signed; https would need revocation
 * checking itself), no redirects, size-capped bodies. Every failure is `null` = unreachable, which
 * the caller treats as soft-fail.
 *
 * Under `SIEGELPOST_NETWORK=loopback-only` (../network-policy.ts) every URL whose host is not a
 * literal 127.0.0.0/8 address or `localhost` is refused before any DNS lookup or socket.
 */
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
  const allowed = (url: string) => /^http:\/\//i.test(url) && allowsUrl(options.policy, url)
  const request = async (url: string, init: RequestInit): Promise<Uint8Array | null> => {
    if (!allowed(url)) return null
    const client = options.fetch ?? fetch
    try {
      const response = await client(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' })
      if (!response.ok) return null
      const declared = Number(response.headers.get('content-length') ?? '0')
      if (declared > limits.crlMaxBytes)
        throw new SiegelpostError('FILE_TOO_LARGE', { path: url, limit: `${limits.crlMaxBytes / 1024 / 1024} MiB` })
      const body = new Uint8Array(await response.arrayBuffer())
      return body.length > limits.crlMaxBytes ? null : body
    } catch {
      return null
    }
  }
  return {
    crl: (url) => request(url, {}),
    ocsp: (url, body) =>
      request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request' },
        body: Buffer.from(body),
      }),
  }
}

/** The process's own fetchers: the policy is read from the environment at every call (tests set it). */
const fromEnvironment = () => httpRevocationFetchers({ policy: networkPolicyFrom(process.env) })
export const httpCrlFetcher: CrlFetcher = (url) => fromEnvironment().crl(url)
export const httpOcspTransport: OcspTransport = (url, request) => fromEnvironment().ocsp(url, request)
