import { isIP } from 'node:net'

/**
 * Which hosts the core may contact on its own (CRL/OCSP, WKD, DNS answers it trusts): the one
 * network guard, handed to every fetcher as `policy`. `SIEGELPOST_NETWORK=loopback-only` (the test
 * run sets it) confines every outside lookup to 127.0.0.0/8: certificates and corpora name real
 * servers, and tests must never leave the machine.
 */
export type NetworkPolicy = 'any' | 'loopback-only'

export function networkPolicyFrom(env: Readonly<Record<string, string | undefined>>): NetworkPolicy {
  return env.SIEGELPOST_NETWORK === 'loopback-only' ? 'loopback-only' : 'any'
}

/** A literal loopback address: IPv4 127.0.0.0/8 or IPv6 ::1 (names such as "127.evil.example" are not). */
export const isLoopbackAddress = (host: string) =>
  (isIP(host) === 4 && host.startsWith('127.')) || host === '::1' || host === '0:0:0:0:0:0:0:1'

/** The URL's host is a literal 127.0.0.0/8 address or exactly `localhost` (WHATWG URL normalizes 127.1, 0x7f.1, …). */
export function isLoopbackUrl(url: string): boolean {
  let host: string
  try {
    host = new URL(url).hostname.toLowerCase()
  } catch {
    return false
  }
  return host === 'localhost' || (isIP(host) === 4 && isLoopbackAddress(host))
}

/** Whether the guard lets the core contact this literal address (a resolved host name). */
export const allowsAddress = (policy: NetworkPolicy, address: string) => policy === 'any' || isLoopbackAddress(address)

/** Whether the guard lets the core fetch this URL (judged by its host as written). */
export const allowsUrl = (policy: NetworkPolicy, url: string) => policy === 'any' || isLoopbackUrl(url)
