import type * as pkijs from 'pkijs'
import { limits } from '../limits.ts'
import { parseCertificate } from './certificate.ts'
import { distributionPointsOf } from './distribution-point.ts'
import { uriOf } from './general-name.ts'

/**
 * Fetching CRLs named by certificates (cRLDistributionPoints, RFC 5280 §4.2.1.13) for message
 * signatures. The fetcher is an argument (tests use a local HTTP server); the real one is
 * revocation-http.ts (http: only, 3 s timeout, size cap, loopback-only guard for tests).
 */
export type CrlFetcher = (url: string) => Promise<Uint8Array | null>

/**
 * The http: URIs among the fullName of a certificate's distribution points; none when unreadable. `parse`: the
 * message's parsed certificates.
 */
export function crlUrlsOf(der: Uint8Array, parse: (der: Uint8Array) => pkijs.Certificate = parseCertificate): string[] {
  try {
    const points = distributionPointsOf(parse(der))
    const names = points.flatMap((dp) => (dp.name && 'fullName' in dp.name ? dp.name.fullName : []))
    const uris = names.map(uriOf).filter((uri): uri is string => uri !== null)
    return [...new Set(uris.filter((uri) => /^http:\/\//i.test(uri)))]
  } catch {
    return []
  }
}

/** Fetches the CRLs for these certificates; unreachable ones are simply missing (soft-fail). */
export async function fetchCrls(
  certificates: Uint8Array[],
  fetcher: CrlFetcher,
  parse: (der: Uint8Array) => pkijs.Certificate = parseCertificate,
): Promise<{ crls: Uint8Array[]; failed: string[] }> {
  const urls = [...new Set(certificates.flatMap((der) => crlUrlsOf(der, parse)))].slice(0, limits.revocationMaxFetches)
  const results = await Promise.all(urls.map(async (url) => ({ url, crl: await fetcher(url).catch(() => null) })))
  return {
    crls: results.flatMap((r) => (r.crl ? [r.crl] : [])),
    failed: results.filter((r) => !r.crl).map((r) => r.url),
  }
}
