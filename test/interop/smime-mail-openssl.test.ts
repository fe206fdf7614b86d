import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt, runCli } from '../helpers/run-cli.ts'
import { exportAliceP12, hasOpenssl, makeTestPki, openssl, type TestPki } from '../helpers/smime-pki.ts'

/**
 * Whole S/MIME messages between Siegelpost (`open`, `compose`) and OpenSSL, both ways: OpenSSL
 * writes signed-then-encrypted mail with an attachment that `open --json` must show with the right
 * verdict and a byte-identical attachment; Siegelpost's mail must decrypt with `openssl cms
 * -decrypt` and verify with `openssl cms -verify -purpose smimesign` against the test CA.
 */
let dir: string
let pki: TestPki
let profiles = 0
const noKeychain = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus' }
const attachment = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256))
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
/** Header fields unfolded (RFC 5322 §2.2.3), so one field is one line. */
const unfold = (text: string) => text.replace(/\r?\n[ \t]+/g, ' ')

function profile() {
  const path = join(dir, `profile-${++profiles}`)
  return (...args: string[]) =>
    runCli([...args, '--profile', path, '--vault-passphrase-file', join(dir, 'vault-pass')], { env: noKeychain })
}

/** `compose` of the suite's body text from one address to another; options for protection and output follow. */
const composeArgs = (from: string, to: string, subject: string) => [
  'compose',
  '--from',
  from,
  '--to',
  to,
  '--subject',
  subject,
  '--body-file',
  join(dir, 'body.txt'),
]

/** The RecipientInfo algorithms of a CMS message, as OpenSSL prints them. */
function opensslCmsInfo(file: string): string {
  const text = readFileSync(file, 'latin1')
  const der = Buffer.from(text.slice(text.search(/\r?\n\r?\n/)).replace(/\s+/g, ''), 'base64')
  return openssl(['asn1parse', '-inform', 'DER'], { cwd: dir, input: der }).toString('latin1')
}

function ok(run: ReturnType<ReturnType<typeof profile>>) {
  expect(run.status, run.stderr).toBe(0)
  return run.stdout
}

/** Bob, an RSA correspondent from the same CA (made by OpenSSL, not by us). */
function issueBob() {
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'bob.key', '-out', 'bob.csr', '-subj', '/CN=Bob Mandant'],
    { cwd: dir },
  )
  return writeFile(
    join(dir, 'bob.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection\nsubjectAltName=email:bob@example.org\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
  ).then(() =>
    openssl(
      [
        'x509',
        '-req',
        '-in',
        'bob.csr',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        'bob.pem',
        '-days',
        '365',
        '-sha256',
        '-extfile',
        'bob.ext',
      ],
      { cwd: dir },
    ),
  )
}

/** Bob's mail to Alice, as OpenSSL writes it: multipart/mixed (text + PDF), signed, then encrypted. */
async function opensslMail(name: string, encryptArgs: string[]) {
  const mixed = [
    'Content-Type: multipart/mixed; boundary="XX"',
    '',
    '--XX',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Sehr geehrte Frau Beraterin, anbei die Unterlagen.',
    '--XX',
    'Content-Type: application/pdf; name="Bescheid 2025.pdf"',
    'Content-Disposition: attachment; filename="Bescheid 2025.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    attachment.toString('base64').replace(/(.{76})/g, '$1\n'),
    '--XX--',
    '',
  ].join('\n')
  await writeFile(join(dir, `${name}.inner`), mixed)
  openssl(
    [
      'smime',
      '-sign',
      '-in',
      `${name}.inner`,
      '-signer',
      'bob.pem',
      '-inkey',
      'bob.key',
      '-certfile',
      'ca.pem',
      '-out',
      `${name}.signed`,
    ],
    { cwd: dir },
  )
  openssl(
    [
      'cms',
      '-encrypt',
      '-in',
      `${name}.signed`,
      '-from',
      'bob@example.org',
      '-to',
      'alice@example.org',
      '-subject',
      'Unterlagen',
      '-out',
      `${name}.eml`,
      ...encryptArgs,
    ],
    { cwd: dir },
  )
  return join(dir, `${name}.eml`)
}

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))('S/MIME mail with OpenSSL', () => {
  let alice: ReturnType<typeof profile>

  beforeAll(async () => {
    assertBuilt()
    dir = await mkdtemp(join(tmpdir(), 'sp-smime-mail-'))
    pki = makeTestPki(dir)
    await issueBob()
    await writeFile(join(dir, 'pw'), 'Kanzlei 2026!\n')
    await writeFile(join(dir, 'vault-pass'), 'Tresor-Passwort\n')
    await writeFile(join(dir, 'body.txt'), 'Ihre Steuererklärung 2025 liegt bei.\n')
    exportAliceP12(pki, join(dir, 'alice.p12'), 'Kanzlei 2026!')
    alice = profile()
    ok(alice('certs', 'trust', pki.ca.certFile))
    ok(alice('keys', 'import', join(dir, 'alice.p12'), '--passphrase-file', join(dir, 'pw')))
    ok(alice('keys', 'import', join(dir, 'bob.pem')))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it.each([
    ['default (PKCS#1 v1.5, AES-256-CBC)', 'cbc', ['-aes256', 'alice.pem']],
    ['RSA-OAEP key transport', 'oaep', ['-aes256', '-recip', 'alice.pem', '-keyopt', 'rsa_padding_mode:oaep']],
    ['AuthEnvelopedData (AES-256-GCM)', 'gcm', ['-aes-256-gcm', 'alice.pem']],
  ])('opens OpenSSL signed+encrypted mail, %s: valid, byte-identical attachment', async (_label, name, args) => {
    const eml = await opensslMail(name, args)
    const saved = join(dir, `saved-${name}`)
    const document = JSON.parse(ok(alice('open', eml, '--json', '--save-attachments', saved)))
    expect(Object.keys(document).sort()).toEqual(['attachments', 'headers', 'offeredKeys', 'parts', 'security', 'text'])
    expect(document.security.encryption).toMatchObject({ state: 'encrypted', technology: 'smime' })
    expect(document.security.signature).toMatchObject({
      state: 'valid',
      technology: 'smime',
      signer: 'bob@example.org',
      acceptance: 'unverified',
    })
    expect(document.security.signature).toMatchObject({
      code: 'SIGNATURE_VALID_REVOCATION_UNKNOWN',
      params: { unreachable: '–' },
    })
    expect(document.security.signature.params.unasked).toBe(document.security.signature.params.subjects)
    // The inner signature covers the content, whatever the cipher: no unauthenticated-encryption warning.
    expect(document.security.warnings).toEqual([])
    expect(document.text).toContain('anbei die Unterlagen')
    expect(document.attachments).toEqual([
      {
        filename: 'Bescheid 2025.pdf',
        contentType: 'application/pdf',
        size: attachment.length,
        sha256: sha256(attachment),
      },
    ])
    expect(sha256(await readFile(join(saved, 'Bescheid 2025.pdf')))).toBe(sha256(attachment))
  })

  it('does not call a signature from an untrusted CA valid, and offers the certificate without importing it', async () => {
    const eml = await opensslMail('untrusted', ['-aes256', 'alice.pem'])
    const stranger = profile()
    ok(stranger('keys', 'import', join(dir, 'alice.p12'), '--passphrase-file', join(dir, 'pw')))
    // Alice's profile without the CA as anchor (the .p12 brought the CA only as a chain certificate).
    const document = JSON.parse(ok(stranger('open', eml, '--json')))
    expect(document.security.encryption.state).toBe('encrypted')
    expect(document.security.signature.state).toBe('invalid')
    expect(document.security.signature.code).toBe('SIGNATURE_CERTIFICATE_INVALID')
    const bobFingerprint = createHash('sha256').update(pki.ca.certificate).digest('hex') // not Bob: the CA is never offered
    expect(document.offeredKeys.map((k: { fingerprint: string }) => k.fingerprint.toLowerCase())).not.toContain(
      bobFingerprint,
    )
    expect(document.offeredKeys).toEqual([
      expect.objectContaining({
        source: 'signature',
        technology: 'smime',
        emails: ['bob@example.org'],
        isKnown: false,
      }),
    ])
    const listed = JSON.parse(ok(stranger('keys', 'list', '--json'))) as { emails: string[] }[]
    expect(listed.some((k) => k.emails.includes('bob@example.org'))).toBe(false)
  })

  it('calls a signature by someone other than From a mismatch', async () => {
    const eml = await opensslMail('spoofed', ['-aes256', 'alice.pem'])
    const text = (await readFile(eml, 'latin1')).replace(/^From: .*$/m, 'From: chef@example.org')
    await writeFile(join(dir, 'spoofed2.eml'), text, 'latin1')
    const document = JSON.parse(ok(alice('open', join(dir, 'spoofed2.eml'), '--json')))
    expect(document.security.signature).toMatchObject({ state: 'mismatch', signer: 'bob@example.org' })
  })

  it('composes S/MIME sign-then-encrypt that openssl cms decrypts (recipient and sender) and verifies against the CA', async () => {
    await writeFile(join(dir, 'Erklaerung.pdf'), attachment)
    const out = join(dir, 'to-bob.eml')
    const summary = JSON.parse(
      ok(
        alice(
          ...composeArgs('alice@example.org', 'bob@example.org', 'Steuererklärung'),
          '--attach',
          join(dir, 'Erklaerung.pdf'),
          '--encrypt',
          'smime',
          '--out',
          out,
          '--json',
        ),
      ),
    )
    expect(summary).toMatchObject({ technology: 'smime', encrypted: true, signed: true })
    expect(summary.encryptedTo).toHaveLength(2)
    const message = unfold(await readFile(out, 'latin1'))
    expect(message).toMatch(/^Content-Type: application\/pkcs7-mime; smime-type=enveloped-data/m)
    expect(message).toMatch(/^Subject: \.\.\.$/m)
    expect(message).not.toContain('Steuererkl')
    for (const [cert, key] of [
      ['bob.pem', 'bob.key'],
      [pki.alice.certFile, pki.alice.keyFile],
    ] as const) {
      const decrypted = openssl(['cms', '-decrypt', '-in', out, '-recip', cert, '-inkey', key], { cwd: dir })
      expect(unfold(decrypted.toString('latin1'))).toMatch(
        /^Content-Type: multipart\/signed; protocol="application\/pkcs7-signature"; micalg=sha-256/m,
      )
      const content = openssl(['cms', '-verify', '-CAfile', 'ca.pem', '-purpose', 'smimesign'], {
        cwd: dir,
        input: decrypted,
      }).toString('latin1')
      expect(unfold(content)).toMatch(/protected-headers="?v1/)
      expect(content).toMatch(/^Subject: =\?UTF-8\?Q\?Steuererkl=C3=A4rung\?=/m)
      expect(
        Buffer.from(
          /filename="?Erklaerung\.pdf"?\r\nContent-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+)/.exec(
            content,
          )![1]!,
          'base64',
        ).equals(attachment),
      ).toBe(true)
    }
    // The sender's own copy opens in Siegelpost with the protected Subject and a valid signature.
    const document = JSON.parse(ok(alice('open', out, '--json')))
    expect(document.headers.subject).toBe('Steuererklärung')
    expect(document.security.signature).toMatchObject({ state: 'valid', signer: 'alice@example.org' })
    expect(document.attachments[0].sha256).toBe(sha256(attachment))
  })

  it("imports a signed mail as the sender's certificate with its capabilities, then encrypts AES-256-GCM + RSA-OAEP that openssl decrypts", async () => {
    openssl(
      ['pkcs12', '-export', '-inkey', 'bob.key', '-in', 'bob.pem', '-out', 'bob.p12', '-passout', 'pass:Kanzlei 2026!'],
      { cwd: dir },
    )
    const bob = profile()
    ok(bob('certs', 'trust', pki.ca.certFile))
    ok(bob('keys', 'import', join(dir, 'bob.p12'), '--passphrase-file', join(dir, 'pw')))
    const fromAlice = join(dir, 'from-alice.eml')
    ok(
      alice(
        ...composeArgs('alice@example.org', 'bob@example.org', 'Mein Zertifikat'),
        '--encrypt',
        'none',
        '--sign',
        '--out',
        fromAlice,
      ),
    )
    const imported = JSON.parse(ok(bob('keys', 'import', fromAlice, '--json')))
    expect(imported).toEqual([
      expect.objectContaining({
        technology: 'smime',
        emails: ['alice@example.org'],
        hasSecret: false,
        acceptance: 'unverified',
      }),
    ])
    const out = join(dir, 'to-alice.eml')
    ok(bob(...composeArgs('bob@example.org', 'alice@example.org', 'Antwort'), '--encrypt', 'smime', '--out', out))
    const message = unfold(await readFile(out, 'latin1'))
    expect(message).toMatch(/^Content-Type: application\/pkcs7-mime; smime-type=authEnveloped-data/m)
    expect(opensslCmsInfo(out)).toMatch(/rsaesOaep|RSAES-OAEP|rsaOAEP/i)
    const decrypted = openssl(
      ['cms', '-decrypt', '-in', out, '-recip', pki.alice.certFile, '-inkey', pki.alice.keyFile],
      { cwd: dir },
    )
    expect(
      openssl(['cms', '-verify', '-CAfile', 'ca.pem', '-purpose', 'smimesign'], {
        cwd: dir,
        input: decrypted,
      }).toString('latin1'),
    ).toContain('Steuererkl=C3=A4rung 2025')
    // A mail whose signature does not check out gives no certificate.
    await writeFile(
      join(dir, 'forged.eml'),
      (await readFile(fromAlice, 'latin1')).replace('2025 liegt bei', '2024 liegt bei'),
      'latin1',
    )
    expect(bob('keys', 'import', join(dir, 'forged.eml')).status).toBe(1)
  })

  it('composes a detached multipart/signed mail that openssl smime -verify accepts, and one changed byte that it and open reject', async () => {
    const out = join(dir, 'signed.eml')
    ok(
      alice(
        ...composeArgs('alice@example.org', 'bob@example.org', 'Hinweis'),
        '--encrypt',
        'none',
        '--sign',
        '--out',
        out,
      ),
    )
    const message = await readFile(out, 'latin1')
    expect(unfold(message)).toMatch(
      /^Content-Type: multipart\/signed; protocol="application\/pkcs7-signature"; micalg=sha-256/m,
    )
    const content = openssl(['smime', '-verify', '-in', out, '-CAfile', 'ca.pem', '-purpose', 'smimesign'], {
      cwd: dir,
    }).toString('utf8')
    expect(content).toContain('Steuererkl=C3=A4rung 2025 liegt bei.')
    await writeFile(join(dir, 'tampered.eml'), message.replace('2025 liegt bei', '2026 liegt bei'), 'latin1')
    expect(() => openssl(['smime', '-verify', '-in', 'tampered.eml', '-CAfile', 'ca.pem'], { cwd: dir })).toThrow()
    expect(JSON.parse(ok(alice('open', join(dir, 'tampered.eml'), '--json'))).security.signature.state).toBe('invalid')
    expect(JSON.parse(ok(alice('open', out, '--json'))).security.signature.state).toBe('valid')
  })
})
