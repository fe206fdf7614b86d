import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { vaultFileName } from '../../main/core/keys/vault.ts'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt, runCli } from '../helpers/run-cli.ts'
import { exportAliceP12, hasOpenssl, makeTestPki, openssl, opensslText, type TestPki } from '../helpers/smime-pki.ts'

let dir: string
let pki: TestPki
let profileCount = 0
const noKeychain = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus' }

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))(
  'siegelpost S/MIME keys and certificates',
  () => {
    beforeAll(async () => {
      assertBuilt()
      dir = await mkdtemp(join(tmpdir(), 'sp-smime-cli-'))
      pki = makeTestPki(dir)
      await writeFile(join(dir, 'pw'), 'Kanzlei 2026!\n')
      await writeFile(join(dir, 'vault-pass'), 'Tresor-Passwort\n')
      exportAliceP12(pki, join(dir, 'alice-legacy.p12'), 'Kanzlei 2026!', ['-legacy'])
    })
    afterAll(() => rm(dir, { recursive: true, force: true }))

    /** A fresh profile in explicit passphrase mode: no keychain involved. */
    function cli() {
      const profile = join(dir, `profile-${++profileCount}`)
      const run = (...args: string[]) =>
        runCli([...args, '--profile', profile, '--vault-passphrase-file', join(dir, 'vault-pass')], { env: noKeychain })
      return { profile, run }
    }
    const file = (name: string) => join(dir, name)
    const sha256 = async (path: string) =>
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex')

    it('imports a legacy .p12 (RC2/3DES) with its chain and lists it per the contract', () => {
      const { run } = cli()
      const imported = run('keys', 'import', file('alice-legacy.p12'), '--passphrase-file', file('pw'), '--json')
      expect(imported.status, imported.stderr).toBe(0)
      const keys = JSON.parse(imported.stdout) as Record<string, unknown>[]
      const own = keys.find((k) => k.hasSecret)!
      expect(own).toMatchObject({
        technology: 'smime',
        name: 'Alice Beraterin',
        emails: ['alice@example.org'],
        status: 'valid',
        usage: ['sign', 'encrypt'],
        acceptance: 'unverified',
      })
      expect(Object.keys(own).sort()).toEqual([
        'acceptance',
        'created',
        'emails',
        'expires',
        'fingerprint',
        'hasSecret',
        'id',
        'name',
        'status',
        'technology',
        'usage',
      ])
      expect(keys.find((k) => !k.hasSecret)).toMatchObject({ name: 'Test CA', usage: ['certify'] })
    })

    it('says "Das Passwort ist falsch" for a wrong password and leaves the vault byte-identical', async () => {
      const { profile, run } = cli()
      expect(run('keys', 'import', pki.ca.certFile).status).toBe(0)
      const before = await sha256(join(profile, vaultFileName))
      await writeFile(file('wrong'), 'falsch\n')
      const wrong = run('keys', 'import', file('alice-legacy.p12'), '--passphrase-file', file('wrong'))
      expect(wrong.status).toBe(1)
      expect(wrong.errorLines).toHaveLength(1)
      expect(wrong.errorLines[0]).toMatch(/^siegelpost: Das Passwort ist falsch\./)
      const missing = run('keys', 'import', file('alice-legacy.p12'))
      expect(missing.errorLines[0]).toMatch(/mit einem Passwort geschützt/)
      expect(await sha256(join(profile, vaultFileName))).toBe(before)
    })

    it('refuses garbage and truncated certificate files with one clear line', async () => {
      const { run } = cli()
      await writeFile(file('garbage.der'), Buffer.from('30820a0b0c0d', 'hex'))
      const pem = await readFile(pki.alice.certFile, 'latin1')
      await writeFile(file('truncated.pem'), pem.replace(/\n[A-Za-z0-9+/=]+\n-----END/, '\nAAA\n-----END'))
      for (const name of ['garbage.der', 'truncated.pem']) {
        const result = run('keys', 'import', file(name))
        expect(result.status).toBe(1)
        expect(result.errorLines).toHaveLength(1)
        expect(result.stderr).not.toMatch(/^\s+at /m)
      }
    })

    it('exports the certificate (PEM, DER) and a .p12 backup openssl can open, modern and compatible', async () => {
      const { run } = cli()
      const keys = JSON.parse(
        run('keys', 'import', file('alice-legacy.p12'), '--passphrase-file', file('pw'), '--json').stdout,
      ) as { id: string; hasSecret: boolean }[]
      const id = keys.find((k) => k.hasSecret)!.id
      expect(run('keys', 'export', id, '--public', '--out', file('alice-out.pem')).status).toBe(0)
      expect(opensslText(['x509', '-in', file('alice-out.pem'), '-noout', '-subject'], dir)).toContain(
        'Alice Beraterin',
      )
      expect(run('keys', 'export', id, '--public', '--format', 'der', '--out', file('alice-out.der')).status).toBe(0)
      expect((await readFile(file('alice-out.der'))).equals(Buffer.from(pki.alice.certificate))).toBe(true)
      expect(run('keys', 'export', id, '--secret', '--out', file('backup.p12')).errorLines[0]).toMatch(
        /--passphrase-file/,
      )
      for (const compat of [false, true]) {
        const out = file(compat ? 'backup-compat.p12' : 'backup.p12')
        const result = run(
          'keys',
          'export',
          id,
          '--secret',
          '--passphrase-file',
          file('pw'),
          '--out',
          out,
          ...(compat ? ['--p12-compat'] : []),
        )
        expect(result.status, result.stderr).toBe(0)
        const info = opensslText(['pkcs12', '-in', out, '-passin', 'pass:Kanzlei 2026!', '-nodes', '-info'], dir)
        expect(info).toContain('BEGIN PRIVATE KEY')
        expect(info.match(/BEGIN CERTIFICATE/g)).toHaveLength(2)
        expect(info).toContain(compat ? 'pbeWithSHA1And3-KeyTripleDES-CBC' : 'AES-256-CBC')
      }
    })

    it('certs trust adds a CA as anchor (kept in the vault), refuses a personal certificate, and certs validate uses it', () => {
      const { run } = cli()
      const noAnchor = JSON.parse(
        run('certs', 'validate', pki.alice.certFile, '--untrusted', pki.ca.certFile, '--json').stdout,
      )
      expect(noAnchor.valid).toBe(false)
      const refused = run('certs', 'trust', pki.alice.certFile)
      expect(refused.status).toBe(1)
      expect(refused.errorLines[0]).toMatch(/kein Zertifizierungsstellen-Zertifikat/)
      expect(run('certs', 'trust', pki.ca.certFile).status).toBe(0)
      const list = JSON.parse(run('keys', 'list', '--json').stdout) as { name: string; acceptance: string }[]
      expect(list).toEqual([expect.objectContaining({ name: 'Test CA', acceptance: 'verified' })])
      const valid = JSON.parse(run('certs', 'validate', pki.alice.certFile, '--json').stdout)
      expect(valid).toEqual({
        valid: true,
        reason: 'valid (revocation not checked)',
        path: ['O=Siegelpost Test, CN=Test CA', 'CN=Alice Beraterin'],
      })
      const smime = JSON.parse(run('certs', 'validate', pki.alice.certFile, '--purpose', 'smime', '--json').stdout)
      expect(smime.valid).toBe(true)
      for (const [cert, reason] of [
        [pki.serverAuth.certFile, /e-mail protection/],
        [pki.noEmail.certFile, /no e-mail address/],
        [pki.sha1.certFile, /SHA-1/],
      ] as const) {
        const result = JSON.parse(run('certs', 'validate', cert, '--purpose', 'smime', '--json').stdout)
        expect(result.valid).toBe(false)
        expect(result.reason).toMatch(reason)
      }
      const expired = JSON.parse(run('certs', 'validate', pki.alice.certFile, '--at', '2040-01-01', '--json').stdout)
      expect(expired).toMatchObject({ valid: false, reason: expect.stringMatching(/expired/) })
      const early = JSON.parse(run('certs', 'validate', pki.alice.certFile, '--at', '2001-01-01', '--json').stdout)
      expect(early).toMatchObject({ valid: false, reason: expect.stringMatching(/not yet valid/) })
    })

    it('keys csr --new stores the key, writes a CSR the CA signs, and the issued certificate joins the key on import', async () => {
      const { run } = cli()
      const csr = run(
        'keys',
        'csr',
        '--new',
        '--name',
        'Bernd Mandant',
        '--email',
        'bernd@example.org',
        '--out',
        file('bernd.csr'),
        '--json',
      )
      expect(csr.status, csr.stderr).toBe(0)
      expect(JSON.parse(csr.stdout)[0]).toMatchObject({
        hasSecret: true,
        status: 'unusable',
        emails: ['bernd@example.org'],
      })
      expect(opensslText(['req', '-in', file('bernd.csr'), '-verify', '-noout', '-text'], dir)).toMatch(
        /verify OK[\s\S]*email:bernd@example.org|email:bernd@example.org[\s\S]*verify OK/,
      )
      openssl(
        [
          'x509',
          '-req',
          '-in',
          'bernd.csr',
          '-CA',
          'ca.pem',
          '-CAkey',
          'ca.key',
          '-CAcreateserial',
          '-days',
          '30',
          '-copy_extensions',
          'copy',
          '-out',
          'bernd.pem',
        ],
        { cwd: dir },
      )
      const imported = run('keys', 'import', file('bernd.pem'), '--json')
      expect(imported.status, imported.stderr).toBe(0)
      const list = JSON.parse(run('keys', 'list', '--json').stdout) as {
        hasSecret: boolean
        status: string
        usage: string[]
      }[]
      expect(list).toHaveLength(1)
      expect(list[0]).toMatchObject({ hasSecret: true, status: 'valid', usage: ['sign', 'encrypt'] })
      const renewal = run('keys', 'csr', (list[0] as unknown as { id: string }).id, '--out', file('bernd-renew.csr'))
      expect(renewal.status, renewal.stderr).toBe(0)
      expect(run('keys', 'csr', '--new', '--name', 'X', '--out', file('x.csr')).status).toBe(2)
      expect(run('keys', 'csr', '--new', '--name', 'X', '--email', 'kein-at', '--out', file('x.csr')).status).toBe(1)
    })
  },
)
