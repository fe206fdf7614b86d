import * as asn1js from 'asn1js'
import { limits } from '../limits.ts'
import { extension, extensionIds, parseCertificate } from './certificate.ts'
import { children, parseDer } from './der.ts'

/**
 * Fetching CRLs named by certificates (cRLDistributionPoints, RFC 5280 §4.2.1.13) for message
 * signatures. The fetcher is an argument (tests use a local HTTP server); the real one is
 * revocation-http.ts (http: only, 3 s timeout, size cap, loopback-only guard for tests).
 */
export type CrlFetcher = (url: string) => Promise<Uint8Array | null>

/** The http: URIs in a certificate's distribution points (fullName uniformResourceIdentifier); none when unreadable. */
export function crlUrlsOf(der: Uint8Array): string[] {
  try {
    return distributionPointUrls(der)
  } catch {
    return []
  }
}

function distributionPointUrls(der: Uint8Array): string[] {
  const ext = extension(parseCertificate(der), extensionIds.crlDistributionPoints)
  if (!ext) return []
  const urls: string[] = []
  const walk = (node: asn1js.AsnType) => {
    if (node.idBlock.tagClass === 3 && node.idBlock.tagNumber === 6 && !node.idBlock.isConstructed) {
      const text = Buffer.from((node as unknown as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView).toString('latin1')
      if (/^http:\/\//i.test(text)) urls.push(text)
      return
    }
    const value = (node as unknown as { valueBlock: { value?: unknown } }).valueBlock.value
    if (Array.isArray(value)) (value as asn1js.AsnType[]).forEach(walk)
  }
  for (const dp of children(parseDer(new Uint8Array(ext.extnValue.valueBlock.valueHexView), 'CRLDP'), 'CRLDP')) walk(dp)
  return [...new Set(urls)]
}

/** Fetches the CRLs for these certificates; unreachable ones are simply missing (soft-fail). */
export async function fetchCrls(certificates: Uint8Array[], fetcher: CrlFetcher): Promise<{ crls: Uint8Array[]; failed: string[] }> {
  const urls = [...new Set(certificates.flatMap(crlUrlsOf))].slice(0, limits.revocationMaxFetches)
  const results = await Promise.all(urls.map(async (url) => ({ url, crl: await fetcher(url).catch(() => null) })))
  return { crls: results.flatMap((r) => (r.crl ? [r.crl] : [])), failed: results.filter((r) => !r.crl).map((r) => r.url) }
}
