import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * A throwaway PKI made with the real openssl for the hostile-server tests (the certificate cases of
 * ../shared/corpora/east-fake-mail-server/testcases_extra/Certificate Validation): a trusted CA with a
 * good server certificate, one for the wrong host, an expired one, a self-signed one, and one from an
 * unknown root. EC P-256 keys keep it fast.
 */
export interface Pair {
  key: string
  cert: string
}
export interface TestPki {
  dir: string
  caPem: string
  caPath: string
  good: Pair
  wrongHost: Pair
  expired: Pair
  selfSigned: Pair
  unknownRoot: Pair
}

const goodNames =
  'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:127.0.0.2\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n'

function ssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
}

/** `openssl req` words for a new unencrypted P-256 key written to NAME.key. */
const newP256Key = (name: string) => [
  '-newkey',
  'ec',
  '-pkeyopt',
  'ec_paramgen_curve:P-256',
  '-nodes',
  '-keyout',
  `${name}.key`,
]

function makeCa(dir: string, name: string): void {
  ssl(dir, [
    'req',
    '-x509',
    ...newP256Key(name),
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ])
}

function issue(dir: string, ca: string, name: string, ext: string, dates?: { start: string; end: string }): Pair {
  ssl(dir, ['req', ...newP256Key(name), '-out', `${name}.csr`, '-subj', `/CN=${name}`])
  writeFileSync(join(dir, `${name}.ext`), ext)
  if (!dates) {
    ssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.pem`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      `${name}.pem`,
      '-extfile',
      `${name}.ext`,
    ])
  } else {
    // `openssl x509` cannot back-date (OpenSSL 3.0 has no -not_after); `openssl ca` can (test-stack.md §1).
    mkdirSync(join(dir, `${name}-ca`), { recursive: true })
    writeFileSync(join(dir, `${name}-ca`, 'index.txt'), '')
    writeFileSync(join(dir, `${name}-ca`, 'serial'), '1000\n')
    writeFileSync(
      join(dir, `${name}-ca.cnf`),
      `[ca]\ndefault_ca=d\n[d]\ndir=${name}-ca\ndatabase=$dir/index.txt\nserial=$dir/serial\nnew_certs_dir=$dir\ndefault_md=sha256\npolicy=p\ncopy_extensions=none\nunique_subject=no\n[p]\ncommonName=supplied\n`,
    )
    ssl(dir, [
      'ca',
      '-batch',
      '-config',
      `${name}-ca.cnf`,
      '-cert',
      `${ca}.pem`,
      '-keyfile',
      `${ca}.key`,
      '-in',
      `${name}.csr`,
      '-out',
      `${name}.pem`,
      '-startdate',
      dates.start,
      '-enddate',
      dates.end,
      '-extfile',
      `${name}.ext`,
      '-notext',
    ])
  }
  return { key: readFileSync(join(dir, `${name}.key`), 'utf8'), cert: readFileSync(join(dir, `${name}.pem`), 'utf8') }
}

export function makeTestPki(dir: string): TestPki {
  mkdirSync(dir, { recursive: true })
  makeCa(dir, 'test-ca')
  makeCa(dir, 'unknown-ca')
  ssl(dir, [
    'req',
    '-x509',
    ...newP256Key('self'),
    '-out',
    'self.pem',
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:127.0.0.2',
  ])
  return {
    dir,
    caPath: join(dir, 'test-ca.pem'),
    caPem: readFileSync(join(dir, 'test-ca.pem'), 'utf8'),
    good: issue(dir, 'test-ca', 'good', goodNames),
    wrongHost: issue(
      dir,
      'test-ca',
      'wrong',
      'subjectAltName=DNS:wrong.example.invalid\nextendedKeyUsage=serverAuth\n',
    ),
    expired: issue(dir, 'test-ca', 'expired', goodNames, { start: '20200101000000Z', end: '20200201000000Z' }),
    selfSigned: { key: readFileSync(join(dir, 'self.key'), 'utf8'), cert: readFileSync(join(dir, 'self.pem'), 'utf8') },
    unknownRoot: issue(dir, 'unknown-ca', 'unknown', goodNames),
  }
}

/** One more certificate from the trusted test CA for the given DNS names (e.g. an MTA-STS policy host). */
export function issueFromTestCa(pki: TestPki, name: string, dnsNames: string[]): Pair {
  return issue(
    pki.dir,
    'test-ca',
    name,
    `subjectAltName=${dnsNames.map((n) => `DNS:${n}`).join(',')}\nextendedKeyUsage=serverAuth\n`,
  )
}
