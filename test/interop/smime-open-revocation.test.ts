import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { skipUnless } from '../helpers/needs.ts'
import { startRevocationPki, type RevocationPki } from '../helpers/revocation-pki.ts'
import { assertBuilt, runCliAsync } from '../helpers/run-cli.ts'
import { httpRevocationFetchers } from '../../main/core/smime/revocation-http.ts'
import { hasOpenssl, openssl } from '../helpers/smime-pki.ts'

/**
 * Revocation in `siegelpost open` (CLI.md: soft-fail) end to end: mail signed by `openssl smime`,
 * a root → intermediate → user CA made by `openssl ca`, its CRLs and a real `openssl ocsp`
 * responder served on 127.0.0.1. Every certificate below the anchor is checked, not only the signer.
 */
let dir: string
let pki: RevocationPki
const noKeychain = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus' }

interface Signature {
  state: string
  signer: string | null
  code: string | null
  params: Record<string, string>
  reason: string
  /** The codes of security.warnings. */
  warnings: string[]
}

async function open(mail: string): Promise<Signature> {
  const run = await runCliAsync(
    ['open', mail, '--json', '--profile', join(dir, 'profile'), '--vault-passphrase-file', join(dir, 'vault-pass')],
    { env: noKeychain },
  )
  expect(run.status, run.stderr).toBe(0)
  const { security } = JSON.parse(run.stdout) as { security: { signature: Signature; warnings: { code: string }[] } }
  return { ...security.signature, warnings: security.warnings.map((w) => w.code) }
}

/** A signed mail from `name`, made by OpenSSL (detached multipart/signed, SHA-256, chain included). */
function signedMail(name: string): string {
  const user = pki.user(name)
  const out = join(dir, `${name}.eml`)
  openssl(
    [
      'smime',
      '-sign',
      '-md',
      'sha256',
      '-in',
      'body.txt',
      '-signer',
      user.certFile,
      '-inkey',
      user.keyFile,
      '-certfile',
      pki.interCert,
      '-from',
      user.email,
      '-to',
      'kanzlei@example.org',
      '-subject',
      `Belege ${name}`,
      '-out',
      out,
    ],
    { cwd: dir },
  )
  return out
}

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))(
  'open checks revocation of every certificate of the path (CRL + OCSP, soft-fail)',
  () => {
    beforeAll(async () => {
      assertBuilt()
      dir = await mkdtemp(join(tmpdir(), 'sp-open-revocation-'))
      pki = await startRevocationPki(join(dir, 'pki'))
      await writeFile(join(dir, 'vault-pass'), 'Tresor-Passwort\n')
      await writeFile(join(dir, 'body.txt'), 'Content-Type: text/plain; charset=utf-8\r\n\r\nAnbei die Belege.\r\n')
      const trusted = await runCliAsync(
        [
          'certs',
          'trust',
          pki.rootCert,
          '--profile',
          join(dir, 'profile'),
          '--vault-passphrase-file',
          join(dir, 'vault-pass'),
        ],
        { env: noKeychain },
      )
      expect(trusted.status, trusted.stderr).toBe(0)
      for (const name of ['good', 'early', 'later', 'stolen']) pki.issue(name, 'crl+ocsp')
      pki.issue('ocsponly', 'ocsp')
      pki.issue('nodp', 'none')
      pki.issue('foreign', { crl: 'http://crl.siegelpost-test.example/ca.crl' })
      pki.issue('mapped', { crl: `http://[::ffff:127.0.0.1]:${pki.port}/inter.crl` })
    })
    afterAll(async () => {
      await pki?.close()
      await rm(dir, { recursive: true, force: true })
    })

    it('runs with the loopback-only network guard on (and hands it to the CLI)', () => {
      expect(process.env.SIEGELPOST_NETWORK).toBe('loopback-only')
    })

    it('a certificate on no CRL and good per OCSP: valid, with the evidence in reason', async () => {
      const signature = await open(signedMail('good'))
      expect(signature).toMatchObject({ state: 'valid', signer: 'good@example.org' })
      expect(signature.code).toBe('SIGNATURE_VALID_NOT_REVOKED_OCSP')
      expect(signature.params.subjects).toMatch(/CN=good.*CN=Revocation Test Intermediate/)
      // the intermediate's CRL and OCSP were asked too, not only the signer's
      expect(pki.requests).toEqual(
        expect.arrayContaining(['GET /inter.crl', 'GET /root.crl', 'POST /ocsp/inter', 'POST /ocsp/root']),
      )
    })

    it('a certificate revoked before the signing time: invalid, and reason says revoked', async () => {
      pki.revoke('early', 'inter', 'keyCompromise')
      const signature = await open(signedMail('early'))
      expect(signature.state).toBe('invalid')
      expect(signature.code).toBe('SIGNATURE_CERTIFICATE_INVALID')
      expect(signature.params.detail).toMatch(/CN=early is revoked/)
    })

    it('revoked after the signing time: superseded stays valid with a warning, keyCompromise is invalid', async () => {
      const later = signedMail('later')
      const stolen = signedMail('stolen')
      await sleep(1100) // revocation dates have whole seconds; the revocation must come after signingTime
      pki.revoke('later', 'inter', 'superseded')
      pki.revoke('stolen', 'inter', 'keyCompromise')
      const superseded = await open(later)
      expect(superseded.state).toBe('valid')
      expect(superseded.warnings).toEqual(['certificate-revoked-later'])
      const compromised = await open(stolen)
      expect(compromised.state).toBe('invalid')
      expect(compromised.params.detail).toMatch(/CN=stolen is revoked/)
    })

    it('a certificate with only an OCSP responder (no distribution point) is found revoked through OCSP', async () => {
      pki.revoke('ocsponly', 'inter', 'keyCompromise')
      const signature = await open(signedMail('ocsponly'))
      expect(signature.state).toBe('invalid')
      expect(signature).toMatchObject({
        code: 'SIGNATURE_CERTIFICATE_REVOKED_OCSP',
        params: { subject: 'CN=ocsponly' },
      })
    })

    it('a certificate without distribution point or responder: valid, reason says revocation could not be checked', async () => {
      const signature = await open(signedMail('nodp'))
      expect(signature.state).toBe('valid')
      expect(signature).toMatchObject({
        code: 'SIGNATURE_VALID_REVOCATION_UNKNOWN',
        params: { subjects: 'CN=nodp', unasked: 'CN=nodp' },
      })
    })

    it('a distribution point outside loopback is refused by the guard and reported unreachable (soft-fail)', async () => {
      const signature = await open(signedMail('foreign'))
      expect(signature.state).toBe('valid')
      expect(signature).toMatchObject({
        code: 'SIGNATURE_VALID_REVOCATION_UNKNOWN',
        params: { subjects: 'CN=foreign' },
      })
      expect(signature.params.unreachable).toContain('http://crl.siegelpost-test.example/ca.crl')
    })

    it('the guard is active in the CLI process: a reachable loopback server behind a non-literal-127 host is not asked', async () => {
      const url = `http://[::ffff:127.0.0.1]:${pki.port}/inter.crl`
      // control: without the guard this URL does reach the test server (IPv4-mapped IPv6 needs IPv6 in the kernel)
      if (existsSync('/proc/net/if_inet6')) {
        const before = pki.requests.length
        expect(await httpRevocationFetchers({ policy: 'any' }).crl(url)).not.toBeNull()
        expect(pki.requests.slice(before)).toEqual(['GET /inter.crl'])
      }
      const during = pki.requests.length
      const signature = await open(signedMail('mapped'))
      expect(signature.state).toBe('valid')
      expect(signature).toMatchObject({ code: 'SIGNATURE_VALID_REVOCATION_UNKNOWN', params: { subjects: 'CN=mapped' } })
      expect(signature.params.unreachable).toContain(url)
      // the intermediate's own CRL and OCSP (literal 127.0.0.1) were asked; the mapped URL never was
      expect(pki.requests.slice(during)).not.toContain('GET /inter.crl')
      expect(pki.requests.slice(during)).toContain('GET /root.crl')
    })

    it('CRL and OCSP server down: a revoked certificate cannot be seen, so valid with a soft-fail reason', async () => {
      await pki.down()
      try {
        const signature = await open(join(dir, 'early.eml'))
        expect(signature.state).toBe('valid')
        expect(signature.code).toBe('SIGNATURE_VALID_REVOCATION_UNKNOWN')
        expect(signature.params.subjects?.split('; ').sort()).toEqual(['CN=Revocation Test Intermediate', 'CN=early'])
        expect(signature.params.unreachable).toContain(`http://127.0.0.1:${pki.port}/inter.crl`)
      } finally {
        await pki.up()
      }
    })

    it('a revoked intermediate makes the signer below it invalid', async () => {
      pki.revoke('inter', 'root', 'keyCompromise')
      const signature = await open(join(dir, 'good.eml'))
      expect(signature.state).toBe('invalid')
      expect(signature.params.detail).toMatch(/CN=Revocation Test Intermediate is revoked/)
    })
  },
)
