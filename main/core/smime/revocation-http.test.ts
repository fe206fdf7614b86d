import dc from 'node:diagnostics_channel'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { fetchCrls } from './revocation.ts'
import { isLoopbackUrl, networkPolicyFrom } from '../network-policy.ts'
import { httpCrlFetcher, httpOcspTransport, httpRevocationFetchers } from './revocation-http.ts'

/** Every new client socket and every DNS-resolving connect attempt of this process, while subscribed. */
function watchConnections() {
  const seen: string[] = []
  const onSocket = () => seen.push('net.client.socket')
  const onConnect = () => seen.push('undici:client:beforeConnect')
  dc.subscribe('net.client.socket', onSocket)
  dc.subscribe('undici:client:beforeConnect', onConnect)
  return {
    seen,
    stop: () => (
      dc.unsubscribe('net.client.socket', onSocket),
      dc.unsubscribe('undici:client:beforeConnect', onConnect)
    ),
  }
}

describe('the loopback-only guard of the real CRL/OCSP fetchers', () => {
  let stop = () => {}
  afterEach(() => stop())

  it('is on for the whole test run', () => {
    expect(networkPolicyFrom(process.env)).toBe('loopback-only')
    expect(networkPolicyFrom({})).toBe('any')
  })

  it('accepts only literal 127.0.0.0/8 hosts and localhost', () => {
    for (const url of [
      'http://127.0.0.1/ca.crl',
      'http://127.5.6.7:8080/x',
      'http://localhost/ca.crl',
      'http://LOCALHOST:1/x',
      'http://127.1/x',
      'http://0x7f000001/x',
    ]) {
      expect(isLoopbackUrl(url), url).toBe(true)
    }
    for (const url of [
      'http://crl.example.org/ca.crl',
      'http://10.0.0.1/ca.crl',
      'http://128.0.0.1/x',
      'http://[::1]/x',
      'http://localhost.example.org/x',
      'http://127.0.0.1.nip.io/x',
      'http://sub.localhost/x',
      'http://127.0.0.1@crl.example.org/x',
      'not a url',
    ]) {
      expect(isLoopbackUrl(url), url).toBe(false)
    }
  })

  it('refuses a non-loopback URL as unreachable without DNS or a socket; the same fetcher does reach loopback', async () => {
    const server = createServer((_, response) => response.end('crl-bytes')).listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    const port = (server.address() as AddressInfo).port
    const watch = watchConnections()
    stop = () => (watch.stop(), server.close())

    // the real fetchers with the policy from the environment (what the CLI passes)
    expect(await httpCrlFetcher('http://crl.siegelpost-test.example/ca.crl')).toBeNull()
    expect(await httpOcspTransport('http://192.0.2.1/ocsp', new Uint8Array([0x30, 0x00]))).toBeNull()
    const { crls, failed } = await fetchCrls([], httpCrlFetcher)
    expect({ crls, failed }).toEqual({ crls: [], failed: [] })
    expect(watch.seen).toEqual([])

    // positive control: the watch sees the connection a loopback URL makes
    expect(Buffer.from((await httpCrlFetcher(`http://127.0.0.1:${port}/ca.crl`))!).toString()).toBe('crl-bytes')
    expect(watch.seen).toContain('net.client.socket')
  })

  it('the guard, not the HTTP client, decides: a refused URL never reaches the client', async () => {
    const asked: string[] = []
    const client = (async (url: string | URL | Request) => {
      asked.push(String(url))
      return new Response(new Uint8Array([1, 2, 3]))
    }) as typeof fetch
    const guarded = httpRevocationFetchers({ policy: 'loopback-only', fetch: client })
    expect(await guarded.crl('http://crl.example.org/ca.crl')).toBeNull()
    expect(await guarded.ocsp('http://ocsp.example.org/', new Uint8Array([0x30, 0x00]))).toBeNull()
    expect(asked).toEqual([])
    expect(await guarded.crl('http://localhost:9/ca.crl')).toEqual(new Uint8Array([1, 2, 3]))
    const open = httpRevocationFetchers({ policy: 'any', fetch: client })
    expect(await open.crl('http://crl.example.org/ca.crl')).toEqual(new Uint8Array([1, 2, 3]))
    expect(await open.crl('https://crl.example.org/ca.crl')).toBeNull() // http: only, in every policy
    expect(asked).toEqual(['http://localhost:9/ca.crl', 'http://crl.example.org/ca.crl'])
  })

  it('a server that never answers is cut off by the timeout (CLI.md: 3 s; shortened here) and is null', async () => {
    const hanging = createServer(() => {}).listen(0, '127.0.0.1')
    await new Promise((resolve) => hanging.once('listening', resolve))
    stop = () => (hanging.closeAllConnections(), hanging.close())
    const port = (hanging.address() as AddressInfo).port
    const fetchers = httpRevocationFetchers({ policy: 'loopback-only', timeoutMs: 200 })
    expect(await fetchers.crl(`http://127.0.0.1:${port}/ca.crl`)).toBeNull()
    expect(await fetchers.ocsp(`http://127.0.0.1:${port}/ocsp`, new Uint8Array([0x30, 0x00]))).toBeNull()
  })

  it('an oversized or failing answer is null', async () => {
    const server = createServer((request, response) => {
      if (request.url === '/big')
        return void response.writeHead(200, { 'content-length': String(64 * 1024 * 1024) }).end()
      response.writeHead(500).end('no')
    }).listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    stop = () => (server.closeAllConnections(), server.close())
    const port = (server.address() as AddressInfo).port
    expect(await httpCrlFetcher(`http://127.0.0.1:${port}/big`)).toBeNull()
    expect(await httpCrlFetcher(`http://127.0.0.1:${port}/error`)).toBeNull()
  })

  it('an unreachable loopback server is null (soft-fail), not an error', async () => {
    const server = createServer().listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    const port = (server.address() as AddressInfo).port
    await new Promise((resolve) => server.close(resolve))
    expect(await httpCrlFetcher(`http://127.0.0.1:${port}/ca.crl`)).toBeNull()
  })
})
