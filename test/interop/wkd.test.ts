import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readKey } from 'openpgp'
import { httpsFetcher, lookupWkd, wkdUrls } from '../../main/core/openpgp/wkd.ts'
import { skipUnless } from '../helpers/needs.ts'
import { generatePair } from '../helpers/openpgp-fixtures.ts'
import { hasOpenssl, throwawayCa } from '../helpers/throwaway-ca.ts'

describe('WKD URLs', () => {
  it('hashes the local part with SHA-1 and z-base-32 (the draft’s example)', () => {
    const { advanced, direct } = wkdUrls('Joe.Doe@Example.ORG')
    expect(advanced.href).toBe(
      'https://openpgpkey.example.org/.well-known/openpgpkey/example.org/hu/iy9q119eutrkn8s1mk4r39qejnbu3n5q?l=Joe.Doe',
    )
    expect(direct.href).toBe('https://example.org/.well-known/openpgpkey/hu/iy9q119eutrkn8s1mk4r39qejnbu3n5q?l=Joe.Doe')
  })
})

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))(
  'WKD lookup against a local HTTPS server',
  () => {
    let server: Server
    let ca: string
    let port: number
    const served = new Map<string, Uint8Array>()
    let delayMs = 0
    let clientKey: Uint8Array

    beforeAll(async () => {
      const pki = throwawayCa(['openpgpkey.mandant.test', 'mandant.test'])
      ca = pki.ca
      const { clientPublic } = await generatePair(new Date(Date.now() - 5000))
      clientKey = (await readKey({ armoredKey: String(clientPublic.material.armored) })).write()
      server = createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
        const body = served.get(`${req.headers.host}${req.url?.split('?')[0]}`)
        setTimeout(() => {
          if (!body) return void res.writeHead(404).end()
          res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body)
        }, delayMs)
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      port = (server.address() as AddressInfo).port
    })
    afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())))

    const fetcher = (options: { trusted?: boolean; timeoutMs?: number } = {}) =>
      httpsFetcher({
        ca: options.trusted === false ? undefined : ca,
        connectTo: () => ({ host: '127.0.0.1', port }),
        timeoutMs: options.timeoutMs,
      })
    const pathOf = (url: URL) => `${url.hostname}${url.pathname}`

    it('finds a key by the advanced method, then by the direct method when only that exists', async () => {
      const urls = wkdUrls('max@mandant.test')
      served.clear()
      served.set(pathOf(urls.advanced), clientKey)
      const advanced = await lookupWkd('max@mandant.test', fetcher(), new Date())
      expect(advanced?.method).toBe('advanced')
      expect(advanced?.keys.map((k) => k.emails)).toEqual([['max@mandant.test']])
      served.clear()
      served.set(pathOf(urls.direct), clientKey)
      expect((await lookupWkd('max@mandant.test', fetcher(), new Date()))?.method).toBe('direct')
    })

    it('drops keys for other addresses, and answers null for untrusted certificates and slow servers', async () => {
      served.clear()
      served.set(pathOf(wkdUrls('eve@mandant.test').advanced), clientKey)
      expect(await lookupWkd('eve@mandant.test', fetcher(), new Date())).toBeNull()
      served.clear()
      served.set(pathOf(wkdUrls('max@mandant.test').advanced), clientKey)
      expect(await lookupWkd('max@mandant.test', fetcher({ trusted: false }), new Date())).toBeNull()
      delayMs = 2_000
      const started = Date.now()
      expect(await lookupWkd('max@mandant.test', fetcher({ timeoutMs: 300 }), new Date())).toBeNull()
      expect(Date.now() - started).toBeLessThan(1_900)
      delayMs = 0
    })
  },
)
