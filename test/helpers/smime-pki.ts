import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pemBlocks } from '../../main/core/smime/der.ts'

/** `openssl` (Debian package openssl) is the independent peer for S/MIME interop tests. */
export const hasOpenssl = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0

export function openssl(args: string[], options: { cwd: string; input?: Buffer }): Buffer {
  return execFileSync('openssl', args, { cwd: options.cwd, input: options.input, stdio: ['pipe', 'pipe', 'pipe'] })
}

/** stdout and stderr together (openssl prints `-info` details on stderr). */
export function opensslText(args: string[], cwd: string): string {
  const run = spawnSync('openssl', args, { cwd, encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${run.stderr}`)
  return run.stdout + run.stderr
}

export interface TestIdentity {
  /** PEM files in the PKI folder. */
  certFile: string
  keyFile: string
  certificate: Uint8Array
  pkcs8: Uint8Array
}

export interface TestPki {
  dir: string
  ca: TestIdentity
  alice: TestIdentity
  fran: TestIdentity
  noEmail: TestIdentity
  serverAuth: TestIdentity
  sha1: TestIdentity
}

const der = (path: string, label: string) => pemBlocks(readFileSync(path, 'latin1'), [label])[0]!.der

function identity(dir: string, name: string): TestIdentity {
  execFileSync('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', `${name}.key`, '-out', `${name}.p8`], { cwd: dir })
  return {
    certFile: join(dir, `${name}.pem`),
    keyFile: join(dir, `${name}.key`),
    certificate: der(join(dir, `${name}.pem`), 'CERTIFICATE'),
    pkcs8: der(join(dir, `${name}.p8`), 'PRIVATE KEY'),
  }
}

function issue(dir: string, name: string, options: { subject: string; ext: string; ec?: boolean; digest?: string }) {
  const keyArgs = options.ec ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048']
  openssl(['req', ...keyArgs, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', options.subject], {
    cwd: dir,
  })
  writeFileSync(join(dir, `${name}.ext`), options.ext)
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '365',
      `-${options.digest ?? 'sha256'}`,
      '-extfile',
      `${name}.ext`,
    ],
    { cwd: dir },
  )
  return identity(dir, name)
}

const mailExt = (email: string, ku = 'digitalSignature,keyEncipherment', eku = 'emailProtection') =>
  `basicConstraints=CA:FALSE\nkeyUsage=${ku}\nextendedKeyUsage=${eku}\n${email ? `subjectAltName=email:${email}\n` : ''}subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n`

/** A throwaway CA with the users the S/MIME tests need, made by OpenSSL (not by us). */
export function makeTestPki(dir: string): TestPki {
  openssl(
    [
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
      '/O=Siegelpost Test/CN=Test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    { cwd: dir },
  )
  return {
    dir,
    ca: identity(dir, 'ca'),
    alice: issue(dir, 'alice', { subject: '/CN=Alice Beraterin', ext: mailExt('alice@example.org') }),
    fran: issue(dir, 'fran', {
      subject: '/CN=Fran Mandantin',
      ec: true,
      ext: mailExt('fran@example.org', 'digitalSignature,keyAgreement'),
    }),
    noEmail: issue(dir, 'noemail', { subject: '/CN=Ohne Adresse', ext: mailExt('') }),
    serverAuth: issue(dir, 'server', {
      subject: '/CN=mail.example.org',
      ext: mailExt('srv@example.org', 'digitalSignature,keyEncipherment', 'serverAuth'),
    }),
    sha1: issue(dir, 'sha1', { subject: '/CN=Alt SHA1', ext: mailExt('old@example.org'), digest: 'sha1' }),
  }
}

/**
 * Alice's key and certificate with the CA certificate as a PKCS#12 file that openssl writes to `out` under
 * `password`; `options` go after `-export` (e.g. `-legacy` for RC2/3DES, `-name` for a friendly name).
 */
export function exportAliceP12(pki: TestPki, out: string, password: string, options: string[] = []): void {
  const alice = ['-inkey', pki.alice.keyFile, '-in', pki.alice.certFile, '-certfile', pki.ca.certFile]
  openssl(['pkcs12', '-export', ...options, ...alice, '-out', out, '-passout', `pass:${password}`], { cwd: pki.dir })
}

export interface IntermediateChain {
  /** Root CA (self-signed), intermediate CA, and a leaf for e-mail protection issued by the intermediate. */
  root: string
  intermediate: string
  leaf: string
  leafKey: string
  /** The leaf with its private key but without any CA certificate (what some CA portals hand out). */
  leafP12: string
  /** Intermediate and root as a PKCS#7 bundle (.p7b), the file the CA sends on request. */
  chainP7b: string
}

/** root → intermediate → leaf (emailProtection), made by OpenSSL in `dir`; file names, relative to `dir`. */
export function makeIntermediateChain(dir: string, p12Password: string): IntermediateChain {
  const run = (args: string[]) => openssl(args, { cwd: dir })
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'chain-root.key',
    '-out',
    'chain-root.pem',
    '-days',
    '3650',
    '-subj',
    '/O=Siegelpost Test/CN=Test Root CA 2026',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ])
  writeFileSync(
    join(dir, 'chain-inter.ext'),
    'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
  )
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'chain-inter.key',
    '-out',
    'chain-inter.csr',
    '-subj',
    '/O=Siegelpost Test/CN=Test Mail CA 2026',
  ])
  run([
    'x509',
    '-req',
    '-in',
    'chain-inter.csr',
    '-CA',
    'chain-root.pem',
    '-CAkey',
    'chain-root.key',
    '-CAcreateserial',
    '-out',
    'chain-inter.pem',
    '-days',
    '1825',
    '-sha256',
    '-extfile',
    'chain-inter.ext',
  ])
  writeFileSync(join(dir, 'chain-leaf.ext'), mailExt('lena@example.org'))
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'chain-leaf.key',
    '-out',
    'chain-leaf.csr',
    '-subj',
    '/CN=Lena Lohnbuchhaltung',
  ])
  run([
    'x509',
    '-req',
    '-in',
    'chain-leaf.csr',
    '-CA',
    'chain-inter.pem',
    '-CAkey',
    'chain-inter.key',
    '-CAcreateserial',
    '-out',
    'chain-leaf.pem',
    '-days',
    '365',
    '-sha256',
    '-extfile',
    'chain-leaf.ext',
  ])
  run([
    'pkcs12',
    '-export',
    '-inkey',
    'chain-leaf.key',
    '-in',
    'chain-leaf.pem',
    '-name',
    'Lena',
    '-passout',
    `pass:${p12Password}`,
    '-out',
    'chain-leaf.p12',
  ])
  run([
    'crl2pkcs7',
    '-nocrl',
    '-certfile',
    'chain-inter.pem',
    '-certfile',
    'chain-root.pem',
    '-outform',
    'DER',
    '-out',
    'chain.p7b',
  ])
  return {
    root: 'chain-root.pem',
    intermediate: 'chain-inter.pem',
    leaf: 'chain-leaf.pem',
    leafKey: 'chain-leaf.key',
    leafP12: 'chain-leaf.p12',
    chainP7b: 'chain.p7b',
  }
}
