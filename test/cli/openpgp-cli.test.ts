import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, runCli } from '../helpers/run-cli.ts'

const noKeychain = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus' }
let dir: string
let base: string[]
const cli = (...args: string[]) => runCli([...args, ...base], { env: noKeychain })
const json = (run: ReturnType<typeof runCli>) => {
  expect(run.errorLines).toEqual([])
  expect(run.status).toBe(0)
  return JSON.parse(run.stdout)
}

beforeAll(async () => {
  assertBuilt()
  dir = await mkdtemp(join(tmpdir(), 'sp-cli-pgp-'))
  await writeFile(join(dir, 'vault-pass'), 'Tresor\n')
  await writeFile(join(dir, 'backup-pass'), 'Sicherung 2026\n')
  base = ['--profile', join(dir, 'profile'), '--vault-passphrase-file', join(dir, 'vault-pass'), '--lang', 'en']
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('siegelpost OpenPGP keys and messages', () => {
  let fingerprint: string

  it('keys generate prints the contract summary of a usable Curve25519 key', () => {
    const [key] = json(cli('keys', 'generate', '--name', 'Anna Beraterin', '--email', 'anna@kanzlei.test', '--json'))
    expect(Object.keys(key).sort()).toEqual([
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
    expect(key).toMatchObject({
      technology: 'openpgp',
      name: 'Anna Beraterin',
      emails: ['anna@kanzlei.test'],
      hasSecret: true,
      status: 'valid',
      expires: null,
    })
    expect(key.usage).toEqual(expect.arrayContaining(['sign', 'encrypt']))
    expect(key.id).toBe(key.fingerprint.slice(-16))
    fingerprint = key.fingerprint
    const bad = cli('keys', 'generate', '--name', 'X', '--email', 'x@y.test', '--algo', 'dsa1024')
    expect(bad.status).toBe(2)
    expect(bad.errorLines).toEqual([expect.stringMatching(/^siegelpost: Invalid value "dsa1024" for --algo/)])
  })

  it('exports the public key, and a secret backup only with a passphrase', async () => {
    expect(cli('keys', 'export', fingerprint, '--public', '--out', join(dir, 'anna.asc')).status).toBe(0)
    expect(await readFile(join(dir, 'anna.asc'), 'utf8')).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/)
    const refused = cli('keys', 'export', fingerprint, '--secret', '--out', join(dir, 'anna-secret.asc'))
    expect(refused.status).toBe(1)
    expect(refused.errorLines).toEqual([expect.stringMatching(/always protected by a passphrase/)])
    expect(
      cli(
        'keys',
        'export',
        fingerprint,
        '--secret',
        '--passphrase-file',
        join(dir, 'backup-pass'),
        '--out',
        join(dir, 'anna-secret.asc'),
      ).status,
    ).toBe(0)
    const backup = await readFile(join(dir, 'anna-secret.asc'), 'utf8')
    expect(backup).toMatch(/^-----BEGIN PGP PRIVATE KEY BLOCK-----/)
    // Re-importing the backup into another profile needs its passphrase.
    const other = ['--profile', join(dir, 'other'), '--vault-passphrase-file', join(dir, 'vault-pass'), '--lang', 'en']
    const without = runCli(['keys', 'import', join(dir, 'anna-secret.asc'), ...other], { env: noKeychain })
    expect(without.errorLines).toEqual([expect.stringMatching(/protected by a password.*--passphrase-file/)])
    const [imported] = json(
      runCli(
        [
          'keys',
          'import',
          join(dir, 'anna-secret.asc'),
          '--passphrase-file',
          join(dir, 'backup-pass'),
          '--json',
          ...other,
        ],
        { env: noKeychain },
      ),
    )
    expect(imported).toMatchObject({ fingerprint, hasSecret: true, acceptance: 'unverified' })
  })

  it('compose writes PGP/MIME that open --json reads back with the contract document and the attachment byte for byte', async () => {
    await writeFile(join(dir, 'body.txt'), 'Sehr geehrter Herr Mandant,\nanbei die Erklärung.\n')
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(4096, 0xa7)])
    await writeFile(join(dir, 'erklärung.pdf'), pdf)
    const out = join(dir, 'mail.eml')
    const composed = json(
      cli(
        'compose',
        '--from',
        'anna@kanzlei.test',
        '--to',
        'anna@kanzlei.test',
        '--subject',
        'Erklärung 2025',
        '--body-file',
        join(dir, 'body.txt'),
        '--attach',
        join(dir, 'erklärung.pdf'),
        '--out',
        out,
        '--json',
      ),
    )
    expect(composed).toMatchObject({ technology: 'openpgp', encrypted: true, signed: true, signedBy: fingerprint })
    const saved = join(dir, 'saved')
    const document = json(cli('open', out, '--json', '--save-attachments', saved))
    expect(Object.keys(document)).toEqual(['headers', 'security', 'text', 'parts', 'attachments', 'offeredKeys'])
    expect(document.headers).toMatchObject({
      from: 'anna@kanzlei.test',
      to: ['anna@kanzlei.test'],
      cc: [],
      replyTo: [],
      sender: [],
      subject: 'Erklärung 2025',
    })
    expect(document.security.encryption).toMatchObject({
      state: 'encrypted',
      technology: 'openpgp',
      code: 'ENCRYPTION_DECRYPTED',
    })
    expect(document.security.signature).toMatchObject({
      state: 'valid',
      technology: 'openpgp',
      signer: 'anna@kanzlei.test',
      acceptance: 'verified',
      code: 'SIGNATURE_VALID',
      reason: 'The signature is valid.',
    })
    expect(document.security.warnings).toEqual([])
    expect(document.parts).toEqual([
      { kind: 'text', encrypted: true, signed: true },
      { kind: 'attachment', encrypted: true, signed: true },
    ])
    expect(Object.keys(document.security.transport)).toEqual(['tls', 'hops'])
    expect(document.text).toBe('Sehr geehrter Herr Mandant,\nanbei die Erklärung.\n')
    expect(document.attachments).toEqual([
      expect.objectContaining({ filename: 'erklärung.pdf', contentType: 'application/pdf', size: pdf.length }),
    ])
    expect(Buffer.compare(await readFile(join(saved, 'erklärung.pdf')), pdf)).toBe(0)
    expect(await readFile(out, 'latin1')).toMatch(/^Subject: \.\.\.\r$/m)
  })

  it('refuses to compose when a recipient has no key, naming the address — never plaintext', async () => {
    const run = cli('compose', '--from', 'anna@kanzlei.test', '--to', 'fremd@example.test', '--out', join(dir, 'x.eml'))
    expect(run.status).toBe(1)
    expect(run.errorLines).toEqual([expect.stringMatching(/no usable key for fremd@example\.test/)])
    await expect(readFile(join(dir, 'x.eml'))).rejects.toThrow()
  })

  it('open: garbage is an unprotected message (exit 0), hostile nesting one line on stderr (exit 1), no stack traces', async () => {
    await writeFile(join(dir, 'garbage.eml'), Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 131) & 0xff)))
    const garbage = json(cli('open', join(dir, 'garbage.eml'), '--json'))
    expect(garbage.security.encryption.state).toBe('none')
    let nested = 'Content-Type: text/plain\r\n\r\nx\r\n'
    for (let i = 0; i < 1000; i++)
      nested = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${nested}\r\n--b${i}--\r\n`
    await writeFile(join(dir, 'nested.eml'), nested)
    const run = cli('open', join(dir, 'nested.eml'), '--json')
    expect(run.status).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.errorLines).toEqual([
      expect.stringMatching(/^siegelpost: The message is nested deeper than allowed \(32 levels\)/),
    ])
  })

  it('keys revoke writes a certificate; with --apply the key is revoked and no longer signs', async () => {
    expect(cli('keys', 'revoke', fingerprint, '--out', join(dir, 'rev.asc')).status).toBe(0)
    expect(json(cli('keys', 'list', '--json'))[0].status).toBe('valid')
    expect(await readFile(join(dir, 'rev.asc'), 'utf8')).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/)
    expect(cli('keys', 'revoke', fingerprint, '--out', join(dir, 'rev2.asc'), '--apply').status).toBe(0)
    expect(json(cli('keys', 'list', '--json'))[0].status).toBe('revoked')
    const run = cli(
      'compose',
      '--from',
      'anna@kanzlei.test',
      '--to',
      'anna@kanzlei.test',
      '--encrypt',
      'none',
      '--sign',
      '--out',
      join(dir, 'y.eml'),
    )
    expect(run.errorLines).toEqual([expect.stringMatching(/no usable own OpenPGP key for anna@kanzlei\.test/)])
  })

  it('keys import applies a standalone revocation certificate to the stored key; keys list says why a key is unusable', async () => {
    const other = [
      '--profile',
      join(dir, 'profile-2'),
      '--vault-passphrase-file',
      join(dir, 'vault-pass'),
      '--lang',
      'en',
    ]
    const run = (...args: string[]) => runCli([...args, ...other], { env: noKeychain })
    const [key] = json(run('keys', 'generate', '--name', 'Rita Widerruf', '--email', 'rita@kanzlei.test', '--json'))
    expect(run('keys', 'revoke', key.fingerprint, '--out', join(dir, 'rita-rev.asc')).status).toBe(0)
    expect(json(run('keys', 'list', '--json'))[0].status).toBe('valid')
    const [applied] = json(run('keys', 'import', join(dir, 'rita-rev.asc'), '--json'))
    expect(applied).toMatchObject({ fingerprint: key.fingerprint, status: 'revoked', hasSecret: true })
    expect(json(run('keys', 'list', '--json'))).toEqual([
      expect.objectContaining({ fingerprint: key.fingerprint, status: 'revoked' }),
    ])

    const { generateKey } = await import('openpgp')
    const signOnly = await generateKey({
      userIDs: [{ name: 'Nur Signatur', email: 'nur@mandant.test' }],
      subkeys: [],
      format: 'armored',
    })
    await writeFile(join(dir, 'sign-only.asc'), signOnly.publicKey)
    expect(run('keys', 'import', join(dir, 'sign-only.asc')).status).toBe(0)
    const listing = run('keys', 'list')
    expect(listing.stdout).toMatch(/ unusable \(no usable encryption subkey[^)]*\) .*nur@mandant\.test/)
    // A certificate for a key that is not in the vault is refused in one line, nothing changes.
    const third = [
      '--profile',
      join(dir, 'profile-3'),
      '--vault-passphrase-file',
      join(dir, 'vault-pass'),
      '--lang',
      'en',
    ]
    const refused = runCli(['keys', 'import', join(dir, 'rita-rev.asc'), ...third], { env: noKeychain })
    expect(refused.status).toBe(1)
    expect(refused.errorLines).toEqual([
      expect.stringMatching(/is a revocation certificate, but no key in the vault matches it/),
    ])
  })
})
