import * as asn1js from 'asn1js'
import { SiegelpostError } from '../errors/index.ts'
import { limits } from '../limits.ts'
import { extension, extensionIds, parseCertificate } from './certificate.ts'
import { children, parseDer } from './der.ts'

/**
 * Fetching CRLs named by certificates (cRLDistributionPoints, RFC 5280 §4.2.1.13) for message
 * signatures. The fetcher is an argument (tests use a local HTTP server); the default one only
 * speaks http: (CRLs are signed, and https would need revocation checking itself), times out
 * after limits.revocationFetchTimeoutMs and refuses bodies over limits.crlMaxBytes.
 */
export type CrlFetcher = (url: string) => Promise<Uint8Array | null>

/** The http: URIs in a certificate's distribution points (fullName uniformResourceIdentifier). */
export function crlUrlsOf(der: Uint8Array): string[] {
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

/** The default fetcher: plain HTTP GET with a timeout and a size limit. */
export const httpCrlFetcher: CrlFetcher = async (url) => {
  if (!/^http:\/\//i.test(url)) return null
  const response = await fetch(url, { signal: AbortSignal.timeout(limits.revocationFetchTimeoutMs), redirect: 'error' })
  if (!response.ok) return null
  const declared = Number(response.headers.get('content-length') ?? '0')
  if (declared > limits.crlMaxBytes) throw new SiegelpostError('FILE_TOO_LARGE', { path: url, limit: `${limits.crlMaxBytes / 1024 / 1024} MiB` })
  const body = new Uint8Array(await response.arrayBuffer())
  return body.length > limits.crlMaxBytes ? null : body
}
