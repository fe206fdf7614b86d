import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { openssl } from './smime-pki.ts'

/**
 * A throwaway two-level CA made with `openssl ca` (root → intermediate → users), whose CRLs and
 * OCSP answers a real HTTP server on 127.0.0.1 serves: the CRLs by `openssl ca -gencrl`, the OCSP
 * answers by `openssl ocsp` from the CA's own index. Revoking (`openssl ca -revoke`) regenerates
 * the CRL, so tests see exactly what a CA publishes. `down()` closes the server (connection
 * refused), `up()` listens again on the same port.
 */
export type UserUrls = 'crl+ocsp' | 'ocsp' | 'none' | { crl: string }

export interface RevocationPki {
  dir: string
  port: number
  rootCert: string
  interCert: string
  /** Certificate and key files of a user issued by the intermediate. */
  user(name: string): { certFile: string; keyFile: string; email: string }
  issue(name: string, urls: UserUrls): void
  /** `openssl ca -revoke` plus a new CRL; `by` is the issuing CA ('inter' for users, 'root' for the intermediate). */
  revoke(name: string, by: 'root' | 'inter', reason: string): void
  /** Request paths the server saw, in order. */
  requests: string[]
  /** false: the CRLs answer 404 (OCSP still answers). */
  crlsAvailable: boolean
  down(): Promise<void>
  up(): Promise<void>
  close(): Promise<void>
}

const caSection = (urls: string) =>
  `[ca]\ndefault_ca=d\n[d]\ndir=.\ncertificate=ca.pem\nprivate_key=ca.key\ndatabase=index.txt\nserial=serial\ncrlnumber=crlnumber\nnew_certs_dir=.\ndefault_md=sha256\ndefault_days=365\ndefault_crl_days=30\npolicy=p\ncopy_extensions=none\nunique_subject=no\n[p]\ncommonName=supplied\n${urls}`

export async function startRevocationPki(dir: string): Promise<RevocationPki> {
  const requests: string[] = []
  let server: Server | null = null
  let port = 0
  const handler: Server = createServer(async (request, response) => {
    requests.push(`${request.method} ${request.url}`)
    const ca = request.url?.endsWith('/root') || request.url === '/root.crl' ? 'root' : 'inter'
    if (request.method === 'POST' && request.url?.startsWith('/ocsp/')) {
      const body: Buffer[] = []
      for await (const chunk of request) body.push(chunk as Buffer)
      writeFileSync(join(dir, ca, 'ocsp-req.der'), Buffer.concat(body))
      const cwd = join(dir, ca)
      openssl(
        [
          'ocsp',
          '-index',
          'index.txt',
          '-CA',
          'ca.pem',
          '-rsigner',
          'ca.pem',
          '-rkey',
          'ca.key',
          '-reqin',
          'ocsp-req.der',
          '-respout',
          'ocsp-resp.der',
        ],
        { cwd },
      )
      return void response
        .writeHead(200, { 'content-type': 'application/ocsp-response' })
        .end(readFileSync(join(cwd, 'ocsp-resp.der')))
    }
    if (
      request.method === 'GET' &&
      (request.url === '/root.crl' || request.url === '/inter.crl') &&
      pki.crlsAvailable
    ) {
      return void response
        .writeHead(200, { 'content-type': 'application/pkix-crl' })
        .end(readFileSync(join(dir, ca, 'ca.crl')))
    }
    response.writeHead(404).end()
  })
  const listen = () =>
    new Promise<void>((resolve) => {
      server = handler.listen(port, '127.0.0.1', () => {
        port = (handler.address() as AddressInfo).port
        resolve()
      })
    })
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve()
      server.close(() => resolve())
      server.closeAllConnections()
      server = null
    })
  await listen()
  const base = `http://127.0.0.1:${port}`
  const run = (ca: 'root' | 'inter', args: string[], env: Record<string, string> = {}) => {
    // openssl reads every $ENV:: variable of the config when it loads it
    const saved = { ...process.env }
    Object.assign(process.env, { EMAIL: 'nobody@example.org', CRL_URL: 'http://127.0.0.1/none.crl', ...env })
    try {
      return openssl(args, { cwd: join(dir, ca) })
    } finally {
      for (const key of ['EMAIL', 'CRL_URL']) {
        if (saved[key] === undefined) delete process.env[key]
        else process.env[key] = saved[key]
      }
    }
  }
  const gencrl = (ca: 'root' | 'inter') => {
    run(ca, ['ca', '-batch', '-config', 'ca.cnf', '-gencrl', '-out', 'ca.crl.pem'])
    run(ca, ['crl', '-in', 'ca.crl.pem', '-outform', 'DER', '-out', 'ca.crl'])
  }
  for (const ca of ['root', 'inter'] as const) {
    mkdirSync(join(dir, ca), { recursive: true })
    writeFileSync(join(dir, ca, 'index.txt'), '')
    writeFileSync(join(dir, ca, 'serial'), ca === 'root' ? '1000\n' : '2000\n')
    writeFileSync(join(dir, ca, 'crlnumber'), '1000\n')
  }
  const userExtensions = (name: string, crl: string | null, ocsp: boolean) =>
    `[${name}]\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection\nsubjectAltName=email:$ENV::EMAIL\n` +
    (crl ? `crlDistributionPoints=URI:${crl}\n` : '') +
    (ocsp ? `authorityInfoAccess=OCSP;URI:${base}/ocsp/inter\n` : '')
  writeFileSync(
    join(dir, 'root', 'ca.cnf'),
    caSection(
      `[inter]\nbasicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\ncrlDistributionPoints=URI:${base}/root.crl\nauthorityInfoAccess=OCSP;URI:${base}/ocsp/root\n`,
    ),
  )
  writeFileSync(
    join(dir, 'inter', 'ca.cnf'),
    caSection(
      userExtensions('both', `${base}/inter.crl`, true) +
        userExtensions('ocsp', null, true) +
        userExtensions('none', null, false) +
        userExtensions('custom', '$ENV::CRL_URL', false),
    ),
  )
  run('root', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '3650',
    '-subj',
    '/CN=Revocation Test Root',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ])
  run('inter', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.csr',
    '-subj',
    '/CN=Revocation Test Intermediate',
  ])
  run('root', [
    'ca',
    '-batch',
    '-config',
    'ca.cnf',
    '-extensions',
    'inter',
    '-in',
    '../inter/ca.csr',
    '-out',
    '../inter/ca.pem',
    '-notext',
  ])
  gencrl('root')
  gencrl('inter')
  const user = (name: string) => ({
    certFile: join(dir, 'inter', `${name}.pem`),
    keyFile: join(dir, 'inter', `${name}.key`),
    email: `${name}@example.org`,
  })
  const pki: RevocationPki = {
    dir,
    port,
    rootCert: join(dir, 'root', 'ca.pem'),
    interCert: join(dir, 'inter', 'ca.pem'),
    user,
    issue(name, urls) {
      const section = typeof urls === 'object' ? 'custom' : urls === 'crl+ocsp' ? 'both' : urls
      const env: Record<string, string> = {
        EMAIL: user(name).email,
        ...(typeof urls === 'object' ? { CRL_URL: urls.crl } : {}),
      }
      run('inter', [
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        `/CN=${name}`,
      ])
      run(
        'inter',
        [
          'ca',
          '-batch',
          '-config',
          'ca.cnf',
          '-extensions',
          section,
          '-in',
          `${name}.csr`,
          '-out',
          `${name}.pem`,
          '-notext',
        ],
        env,
      )
    },
    revoke(name, by, reason) {
      const file = by === 'root' ? join(dir, 'inter', 'ca.pem') : user(name).certFile
      run(by, ['ca', '-batch', '-config', 'ca.cnf', '-revoke', file, '-crl_reason', reason])
      gencrl(by)
    },
    requests,
    crlsAvailable: true,
    down: stop,
    up: listen,
    close: stop,
  }
  return pki
}
