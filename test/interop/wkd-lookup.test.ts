import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:https'
import { tmpdir } from 'node:os'
import { join, normalize } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppCore } from '../../main/app-core.ts'
import { httpsFetcher, wkdResolver } from '../../main/core/openpgp/wkd.ts'
import { startDnsServer } from '../helpers/dns-server.ts'
import { GpgHome, hasGpg } from '../helpers/gpg.ts'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt, runCliAsync } from '../helpers/run-cli.ts'
import { hasOpenssl, throwawayCa } from '../helpers/throwaway-ca.ts'

/**
 * `siegelpost keys lookup` and the `keys:lookup` channel against a Web Key Directory that GnuPG's own `gpg-wks-client --install-key`
 * laid out, served over HTTPS (throwaway CA) on 127.0.0.7:443, found through a local DNS server
 * (`SIEGELPOST_DNS`). Port 443 is fixed by the WKD draft, so the test needs root (CI runs as root).
 */
const wksClient = '/usr/lib/gnupg/gpg-wks-client'
const available = hasGpg && hasOpenssl && existsSync(wksClient) && process.getuid?.() === 0
const host = '127.0.0.7'

describe('WKD network guard', () => {
  it('never connects outside loopback in loopback-only mode, and asks no outside DNS', async () => {
    const asked: string[] = []
    const outside = wkdResolver({
      resolveA: async (name) => (asked.push(name), ['192.0.2.10']),
      policy: 'loopback-only',
    })
    await expect(outside('openpgpkey.example.org')).rejects.toThrow(/not loopback/)
    const noDns = wkdResolver({ resolveA: null, policy: 'loopback-only' })
    await expect(noDns('openpgpkey.example.org')).rejects.toThrow(/loopback-only/)
    expect(asked).toEqual(['openpgpkey.example.org'])
    expect(
      await wkdResolver({ resolveA: async () => ['127.0.0.7'], policy: 'loopback-only' })('openpgpkey.mandant.test'),
    ).toBe('127.0.0.7')
    expect(await wkdResolver({ resolveA: null, policy: 'any' })('openpgpkey.mandant.test')).toBe(
      'openpgpkey.mandant.test',
    )
  })
})

describe.skipIf(
  skipUnless(
    'gpg, gpg-wks-client, openssl and root (port 443)',
    available,
    'run as root with the Debian packages gnupg gpg-wks-client openssl (.ci/run installs them)',
  ),
)('keys lookup against a GnuPG-made Web Key Directory', () => {
  let dir: string
  let gpg: GpgHome
  let server: Server
  let dns: Awaited<ReturnType<typeof startDnsServer>>
  let env: Record<string, string>
  let maxFingerprint: string
  let caPem: string
  const requested: string[] = []

  beforeAll(async () => {
    assertBuilt()
    dir = await mkdtemp(join(tmpdir(), 'sp-wkd-cli-'))
    gpg = new GpgHome()
    maxFingerprint = gpg.generate('Max Mandant <max@mandant.test>', 'pw')
    // A second key on the same server under Max's hash: a WKD server may not hand out other people's keys (§3.1).
    const otherFingerprint = gpg.generate('Eve <eve@mandant.test>', 'pw')
    const web = join(dir, 'web')
    mkdirSync(web)
    const install = spawnSync(wksClient, ['-C', web, '--install-key', maxFingerprint, 'max@mandant.test'], {
      env: { ...process.env, GNUPGHOME: gpg.dir },
      encoding: 'utf8',
    })
    expect(install.status, install.stderr).toBe(0)
    const [hashFile] = spawnSync('find', [join(web, 'mandant.test', 'hu'), '-type', 'f'], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n')
    writeFileSync(hashFile!, Buffer.concat([readFileSync(hashFile!), gpg.ok(['--export', otherFingerprint]).stdout]))

    const pki = throwawayCa(['openpgpkey.mandant.test', 'mandant.test'])
    writeFileSync(join(dir, 'ca.pem'), pki.ca)
    caPem = pki.ca
    server = createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
      const path = (req.url ?? '').split('?')[0]!
      requested.push(`${req.headers.host}${path}`)
      const relative = normalize(path.replace(/^\/\.well-known\/openpgpkey\//, ''))
      const file = join(web, relative)
      if (!path.startsWith('/.well-known/openpgpkey/') || relative.startsWith('..') || !existsSync(file))
        return void res.writeHead(404).end()
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file))
    })
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(443, host, () => resolve()))
    dns = await startDnsServer({ 'openpgpkey.mandant.test': { A: [host] }, 'mandant.test': { A: [host] } })
    env = {
      SIEGELPOST_DNS: dns.address,
      NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
      SIEGELPOST_PROFILE: join(dir, 'profile'),
    }
  })
  afterAll(async () => {
    await dns?.close()
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
    gpg?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  const cli = (args: string[]) => runCliAsync([...args, '--lang', 'en'], { env })

  it('finds the key by the advanced method and only offers it; --import stores it as not verified', async () => {
    const run = await cli(['keys', 'lookup', 'max@mandant.test', '--json'])
    expect(run.status, run.stderr).toBe(0)
    const found = JSON.parse(run.stdout)
    expect(found).toMatchObject({ address: 'max@mandant.test', method: 'advanced', imported: false })
    // Eve's key under Max's hash is dropped.
    expect(found.keys.map((k: { fingerprint: string }) => k.fingerprint)).toEqual([maxFingerprint])
    expect(requested.some((r) => r.startsWith('openpgpkey.mandant.test/.well-known/openpgpkey/mandant.test/hu/'))).toBe(
      true,
    )
    expect(JSON.parse((await cli(['keys', 'list', '--json'])).stdout)).toEqual([])

    const imported = await cli(['keys', 'lookup', 'max@mandant.test', '--import', '--json'])
    expect(imported.status, imported.stderr).toBe(0)
    const listed = JSON.parse((await cli(['keys', 'list', '--json'])).stdout)
    expect(listed).toMatchObject([
      {
        fingerprint: maxFingerprint,
        technology: 'openpgp',
        acceptance: 'unverified',
        hasSecret: false,
        emails: ['max@mandant.test'],
      },
    ])
  })

  it('says clearly when there is no key, and a server with a certificate we do not trust counts as no answer', async () => {
    const none = await cli(['keys', 'lookup', 'niemand@mandant.test'])
    expect(none.status).toBe(1)
    expect(none.errorLines).toEqual([
      expect.stringMatching(/found no key for niemand@mandant.test in the Web Key Directory.*Ask the person/),
    ])
    const untrusted = await runCliAsync(
      ['keys', 'lookup', 'max@mandant.test', '--lang', 'en', '--profile', join(dir, 'other')],
      { env: { SIEGELPOST_DNS: dns.address } },
    )
    expect(untrusted.status).toBe(1)
    expect(untrusted.stdout).toBe('')
  })

  it('answers the keys:lookup channel the same way, through the real dispatcher', async () => {
    const core = createAppCore({
      profileDir: join(dir, 'ipc-profile'),
      keySource: async () => ({ mode: 'passphrase', passphrase: Buffer.from('wkd-ipc-vault') }),
      appInfo: {
        name: 'Siegelpost',
        version: '0',
        platform: 'linux',
        runtime: { node: '24', electron: null, chrome: null },
      },
      trustedOrigins: ['app://siegelpost'],
      chooseSavePath: async () => null,
      writeClipboard: async () => undefined,
      // The app's fetcher with the test CA (Node reads NODE_EXTRA_CA_CERTS only at start) and the test DNS.
      wkdFetcher: httpsFetcher({
        ca: caPem,
        resolve: wkdResolver({ resolveA: async () => [host], policy: 'loopback-only' }),
      }),
    })
    const sender = { url: 'app://siegelpost/index.html', isMainFrame: true }
    const offered = await core.dispatch('keys:lookup', sender, { address: 'max@mandant.test' })
    expect(offered).toMatchObject({
      ok: true,
      value: { method: 'advanced', imported: false, keys: [{ fingerprint: maxFingerprint, acceptance: 'unverified' }] },
    })
    expect(JSON.stringify(offered)).not.toMatch(/BEGIN PGP|material/)
    expect(await core.dispatch('keys:list', sender, undefined)).toEqual({ ok: true, value: [] })
    expect(await core.dispatch('keys:lookup', sender, { address: 'max@mandant.test', take: true })).toMatchObject({
      ok: true,
      value: { imported: true },
    })
    expect(await core.dispatch('keys:list', sender, undefined)).toMatchObject({
      ok: true,
      value: [{ fingerprint: maxFingerprint, acceptance: 'unverified', hasSecret: false }],
    })
    expect(await core.dispatch('keys:lookup', sender, { address: 'niemand@mandant.test' })).toMatchObject({
      ok: false,
      error: { code: 'WKD_NOT_FOUND' },
    })
    expect(await core.dispatch('keys:lookup', sender, { address: 'kein-adresse' })).toMatchObject({ ok: false })
  })
})
