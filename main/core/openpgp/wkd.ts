import { createHash } from 'node:crypto'
import { Resolver } from 'node:dns/promises'
import type { StoredKey } from '../keys/stored-key.ts'
import { httpsGet } from '../https-get.ts'
import { limits } from '../limits.ts'
import { allowsAddress, type NetworkPolicy } from '../network-policy.ts'
import { readKeyFile, toStoredKey } from './key-technology.ts'

/**
 * Web Key Directory lookup (draft-koch-openpgp-webkey-service §3.1): the advanced method at
 * openpgpkey.<domain> first, then the direct method at <domain>. The fetcher is injected so tests
 * (and the app's network policy) decide how hosts are reached; nothing found is `null`, never an error:
 * WKD is a convenience, a failed lookup must not block the user.
 */
export type WkdFetcher = (url: URL) => Promise<{ status: number; body: Uint8Array }>

const zbase32Alphabet = 'ybndrfg8ejkmcpqxot1uwisza345h769'

export function zbase32(bytes: Uint8Array): string {
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += zbase32Alphabet[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += zbase32Alphabet[(value << (5 - bits)) & 31]
  return out
}

export function wkdUrls(address: string): { advanced: URL; direct: URL } {
  const at = address.lastIndexOf('@')
  const local = address.slice(0, at)
  const domain = address.slice(at + 1).toLowerCase()
  const hash = zbase32(createHash('sha1').update(local.toLowerCase()).digest())
  const query = `?l=${encodeURIComponent(local)}`
  return {
    advanced: new URL(`https://openpgpkey.${domain}/.well-known/openpgpkey/${domain}/hu/${hash}${query}`),
    direct: new URL(`https://${domain}/.well-known/openpgpkey/hu/${hash}${query}`),
  }
}

export interface WkdResult {
  method: 'advanced' | 'direct'
  /** Keys that carry the looked-up address in a user id (others from the server are dropped, §3.1). Not imported. */
  keys: StoredKey[]
}

export async function lookupWkd(address: string, fetcher: WkdFetcher, now: Date): Promise<WkdResult | null> {
  const urls = wkdUrls(address)
  for (const method of ['advanced', 'direct'] as const) {
    let response: { status: number; body: Uint8Array }
    try {
      response = await fetcher(urls[method])
    } catch {
      continue
    }
    if (response.status !== 200 || response.body.length === 0) continue
    try {
      const keys = await readKeyFile({ bytes: response.body, fileName: `wkd-${method}` })
      const stored: StoredKey[] = []
      for (const key of keys) {
        const summary = await toStoredKey(key.toPublic(), now)
        if (summary.emails.includes(address.toLowerCase())) stored.push(summary)
      }
      if (stored.length > 0) return { method, keys: stored }
    } catch {
      // A broken answer is the same as no answer for this method.
    }
  }
  return null
}

export interface HttpsFetcherOptions {
  /** Extra trust anchors (PEM), e.g. a test CA; the system store otherwise. */
  ca?: string | Buffer
  /** Where to connect for a host name (tests: loopback); the certificate is still checked for the host name. */
  connectTo?: (hostname: string) => { host: string; port: number }
  /**
   * The address to connect to for a host name (a configured DNS server, the network guard); the
   * system resolver otherwise. A rejection is "not reachable". The certificate is still checked for the host name.
   */
  resolve?: (hostname: string) => Promise<string>
  timeoutMs?: number
  maxBytes?: number
}

/** HTTPS GET with a hard timeout and size limit (CLI.md: outside lookups end within 3 s). */
export function httpsFetcher(options: HttpsFetcherOptions = {}): WkdFetcher {
  const timeoutMs = options.timeoutMs ?? limits.wkdTimeoutMs
  const maxBytes = options.maxBytes ?? limits.keyFileMaxBytes
  return async (url) => {
    const target = options.connectTo?.(url.hostname)
    const resolve = target ? async () => target.host : options.resolve
    const { status, body } = await httpsGet(url, { ca: options.ca, resolve, port: target?.port, timeoutMs, maxBytes })
    return { status, body: new Uint8Array(body) }
  }
}

export interface WkdNetwork {
  /** A configured DNS server (`SIEGELPOST_DNS`, HOST:PORT) answering A queries; the system resolver when absent. */
  resolveA: ((host: string) => Promise<string[]>) | null
  /** The network guard: under `loopback-only` (tests) only 127.0.0.0/8 is contacted and no outside DNS asked. */
  policy: NetworkPolicy
}

/** How a WKD host name becomes an address, under the network guard. */
export function wkdResolver(network: WkdNetwork): (hostname: string) => Promise<string> {
  return async (hostname) => {
    if (!network.resolveA) {
      if (network.policy === 'loopback-only') throw new Error(`${hostname}: outside lookups are off (loopback-only)`)
      return hostname
    }
    const [address] = await network.resolveA(hostname)
    if (!address) throw new Error(`${hostname}: no address`)
    if (!allowsAddress(network.policy, address)) {
      throw new Error(`${hostname}: ${address} is not loopback (loopback-only)`)
    }
    return address
  }
}

/**
 * The WKD fetcher the app and the CLI use: host names through `dnsServer` (HOST:PORT, e.g. a test
 * server) or the system resolver, under the loopback guard, 3 s per request.
 */
export function networkWkdFetcher(options: { dnsServer?: string | undefined; policy: NetworkPolicy }): WkdFetcher {
  let resolveA: WkdNetwork['resolveA'] = null
  if (options.dnsServer) {
    const resolver = new Resolver({ timeout: limits.wkdTimeoutMs, tries: 1 })
    resolver.setServers([options.dnsServer])
    resolveA = (host) => resolver.resolve4(host)
  }
  return httpsFetcher({ resolve: wkdResolver({ resolveA, policy: options.policy }) })
}
