import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportKey, findKey, importKeyFile } from '../../main/core/keys/key-store.ts'
import { keyTechnologies } from '../../main/core/keys/technologies.ts'
import { openVault, type Vault } from '../../main/core/keys/vault.ts'
import { composeMessage } from '../../main/core/message/compose.ts'
import { openMessage } from '../../main/core/message/open.ts'
import { messageTechnologies } from '../../main/core/message/technologies.ts'
import { attachmentEntity, entity, multipart, textEntity } from '../../main/core/mime/build.ts'
import { decodeBody, parseMime } from '../../main/core/mime/parse.ts'
import { generateOpenpgpKey, revokeOpenpgpKey } from '../../main/core/openpgp/generate.ts'
import { GpgHome, hasGpg } from '../helpers/gpg.ts'
import { memorySecretStore } from '../helpers/memory-secret-store.ts'
import { skipUnless } from '../helpers/needs.ts'

let now = new Date()
const gpgUid = 'Gerd Gnupg <gerd@mandant.test>'
const gpgPass = 'gerd-geheim 2026'
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8')
const importText = (vault: Vault, armored: string | Uint8Array, passphrase: string | null = null) =>
  importKeyFile(
    vault,
    keyTechnologies,
    {
      bytes: typeof armored === 'string' ? new TextEncoder().encode(armored) : armored,
      fileName: 'key.asc',
      path: '/in/key.asc',
    },
    { passphrase: passphrase === null ? null : new TextEncoder().encode(passphrase), now },
  )
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { code?: string }) => error.code ?? String(error),
  )

describe.skipIf(skipUnless('GnuPG (gpg)', hasGpg, 'apt-get install gnupg'))('OpenPGP interop with GnuPG 2.2', () => {
  let gpg: GpgHome
  let dir: string
  let vault: Vault
  let gpgFingerprint: string
  let ownFingerprint: string

  beforeAll(async () => {
    gpg = new GpgHome()
    dir = await mkdtemp(join(tmpdir(), 'sp-interop-'))
    vault = await openVault({ profileDir: dir, keySource: { mode: 'keychain', store: memorySecretStore() } })
    gpgFingerprint = gpg.generate(gpgUid, gpgPass)
    // Keys count from their creation second on: judge everything after gpg made its key.
    await new Promise((resolve) => setTimeout(resolve, 1100))
    now = new Date()
    const own = await generateOpenpgpKey({
      name: 'Anna Beraterin',
      email: 'anna@kanzlei.test',
      algorithm: 'curve25519',
      now,
    })
    ownFingerprint = own.fingerprint
    await vault.update((draft) => void draft.keys.push(own))
    // Our public key into gpg, gpg's public key into Siegelpost: both directions of the key round trip.
    const ownPublic = await exportKey(vault, keyTechnologies, ownFingerprint, {
      part: 'public',
      format: undefined,
      passphrase: null,
      compat: false,
    })
    gpg.ok(['--import'], ownPublic)
    gpg.ok(['--passphrase', gpgPass, '--quick-lsign-key', ownFingerprint])
    await importText(vault, gpg.ok(['--armor', '--export', gpgFingerprint]).stdout)
  })
  afterAll(async () => {
    gpg?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('round-trips armored public keys: gpg reads ours with its user id, we read gpg’s with its fingerprint', async () => {
    const listing = gpg.ok(['--with-colons', '--list-keys', ownFingerprint]).stdout.toString()
    expect(listing).toContain('Anna Beraterin <anna@kanzlei.test>')
    expect(listing).toMatch(/^sub:[^:]*:255:18:/m) // Cv25519 encryption subkey (v4, ECDH)
    const stored = findKey(vault.contents, gpgFingerprint)
    expect(stored).toMatchObject({
      hasSecret: false,
      emails: ['gerd@mandant.test'],
      acceptance: 'unverified',
      usage: ['sign', 'encrypt', 'certify'],
    })
  })

  it('imports a passphrase-protected gpg secret key with the right passphrase only, then stores it unlocked in the vault', async () => {
    const secret = gpg.ok(['--passphrase', gpgPass, '--armor', '--export-secret-keys', gpgFingerprint]).stdout
    const other = await openVault({
      profileDir: join(dir, 'other'),
      keySource: { mode: 'keychain', store: memorySecretStore() },
    })
    expect(await codeOf(importText(other, secret))).toBe('KEY_PASSPHRASE_REQUIRED')
    expect(await codeOf(importText(other, secret, 'falsch'))).toBe('KEY_PASSPHRASE_WRONG')
    expect(other.info().keyCount).toBe(0)
    const [key] = await importText(other, secret, gpgPass)
    expect(key).toMatchObject({ fingerprint: gpgFingerprint, hasSecret: true })
    expect(String(key!.material.armored)).toContain('PRIVATE KEY BLOCK')
    // The secret backup we write is passphrase-protected and gpg imports it with that passphrase.
    const backup = await exportKey(other, keyTechnologies, gpgFingerprint, {
      part: 'secret',
      format: undefined,
      passphrase: new TextEncoder().encode('backup-pw'),
      compat: false,
    })
    const fresh = new GpgHome()
    try {
      expect(fresh.run(['--passphrase', 'wrong', '--import'], backup).stdout).toBeDefined()
      const imported = fresh.ok(['--passphrase', 'backup-pw', '--import'], backup)
      expect(imported.statusLines.some((l) => l.startsWith('IMPORT_OK'))).toBe(true)
      // gpg 2.2 imports secret keys without asking; unlocking needs the backup passphrase: signing works only then.
      // Unlocking the backup's secret key needs the backup passphrase: signing with it works only then.
      expect(fresh.run(['--passphrase', 'wrong', '-u', gpgFingerprint, '--sign'], 'x').status).not.toBe(0)
      expect(fresh.run(['--passphrase', 'backup-pw', '-u', gpgFingerprint, '--sign'], 'x').status).toBe(0)
    } finally {
      fresh.close()
    }
  })

  it('opens a gpg-made PGP/MIME signed+encrypted mail with an attachment: valid signature, byte-identical attachment', async () => {
    const attachment = new Uint8Array(
      Buffer.concat([
        Buffer.from('%PDF-1.7\n'),
        Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) & 0xff)),
      ]),
    )
    const inner = multipart('mixed', {}, [
      textEntity('Guten Tag,\nanbei die Unterlagen.\n'),
      attachmentEntity('Lohnabrechnung März.pdf', 'application/pdf', attachment),
    ])
    const ciphertext = gpg.ok(
      [
        '--armor',
        '--encrypt',
        '--sign',
        '-u',
        gpgFingerprint,
        '--passphrase',
        gpgPass,
        '-r',
        ownFingerprint,
        '--trust-model',
        'always',
      ],
      inner,
    ).stdout
    const mail = Buffer.concat([
      Buffer.from(
        'From: Gerd Gnupg <gerd@mandant.test>\r\nTo: anna@kanzlei.test\r\nSubject: Unterlagen\r\nDate: ' +
          now.toUTCString() +
          '\r\nMIME-Version: 1.0\r\n',
      ),
      multipart('encrypted', { protocol: 'application/pgp-encrypted' }, [
        entity([['Content-Type', 'application/pgp-encrypted']], 'Version: 1\r\n'),
        entity(
          [['Content-Type', 'application/octet-stream; name="encrypted.asc"']],
          ciphertext.toString().replace(/\r?\n/g, '\r\n'),
        ),
      ]),
    ])
    const { document, attachmentBytes } = await openMessage(mail, messageTechnologies, {
      keys: vault.contents.keys,
      now: new Date(),
    })
    expect(document.security.encryption.state).toBe('encrypted')
    expect(document.security.signature).toMatchObject({
      state: 'valid',
      signer: 'gerd@mandant.test',
      acceptance: 'unverified',
      technology: 'openpgp',
    })
    expect(document.text).toBe('Guten Tag,\nanbei die Unterlagen.\n')
    expect(document.attachments).toEqual([
      {
        filename: 'Lohnabrechnung März.pdf',
        contentType: 'application/pdf',
        size: attachment.length,
        sha256: sha256(attachment),
      },
    ])
    expect(Buffer.compare(Buffer.from(attachmentBytes[0]!), Buffer.from(attachment))).toBe(0)
  })

  it('checks a gpg-made multipart/signed mail over the exact bytes of part 1, and calls one changed byte invalid', async () => {
    const content = textEntity('Bitte bis Freitag unterschreiben.  \nFrom here on: Anlage folgt.\n')
    const signature = gpg.ok(
      ['--armor', '--detach-sign', '--digest-algo', 'SHA256', '-u', gpgFingerprint, '--passphrase', gpgPass],
      content,
    ).stdout
    const build = (part: Uint8Array) =>
      Buffer.concat([
        Buffer.from('From: gerd@mandant.test\r\nTo: anna@kanzlei.test\r\nSubject: Frist\r\nMIME-Version: 1.0\r\n'),
        multipart('signed', { micalg: 'pgp-sha256', protocol: 'application/pgp-signature' }, [
          part,
          entity([['Content-Type', 'application/pgp-signature']], signature.toString().replace(/\r?\n/g, '\r\n')),
        ]),
      ])
    const good = await openMessage(build(content), messageTechnologies, { keys: vault.contents.keys, now: new Date() })
    expect(good.document.security.signature).toMatchObject({ state: 'valid', signer: 'gerd@mandant.test' })
    const tampered = Buffer.from(content)
    tampered[tampered.length - 5]! ^= 0x01
    const bad = await openMessage(build(tampered), messageTechnologies, { keys: vault.contents.keys, now: new Date() })
    expect(bad.document.security.signature.state).toBe('invalid')
  })

  it('writes signed+encrypted mail (RFC 3156 §6.2) that gpg decrypts to the inner entity with a good signature', async () => {
    const attachment = new Uint8Array(Buffer.from('Bilanz 2025;Summe;1.234,56\n'))
    const result = await composeMessage(
      {
        from: 'anna@kanzlei.test',
        to: ['gerd@mandant.test'],
        cc: [],
        subject: 'Bilanz',
        body: 'Hallo Gerd,\nsiehe Anlage.',
        attachments: [{ fileName: 'bilanz.csv', contentType: 'text/csv', bytes: attachment }],
        encrypt: 'auto',
        sign: undefined,
      },
      { keys: vault.contents.keys, now, technologies: messageTechnologies },
    )
    expect(result).toMatchObject({ technology: 'openpgp', encrypted: true, signed: true })
    expect(result.encryptedTo.sort()).toEqual([gpgFingerprint, ownFingerprint].sort())
    const root = parseMime(result.bytes)
    expect(root.contentType).toMatchObject({
      type: 'multipart/encrypted',
      params: { protocol: 'application/pgp-encrypted' },
    })
    expect(text(result.bytes)).toMatch(/^Subject: \.\.\.\r$/m)
    expect(text(result.bytes)).toMatch(/^Autocrypt: addr=anna@kanzlei\.test; prefer-encrypt=mutual;/m)
    const decrypted = gpg.ok(['--decrypt', '--passphrase', gpgPass], decodeBody(root.children[1]!))
    expect(decrypted.statusLines.some((l) => l.startsWith(`GOODSIG ${ownFingerprint.slice(-16)}`))).toBe(true)
    expect(decrypted.statusLines).toContain('DECRYPTION_OKAY')
    expect(decrypted.statusLines.some((l) => l.startsWith('DECRYPTION_INFO 2 9'))).toBe(true) // MDC (SEIPDv1), AES-256
    const inner = parseMime(decrypted.stdout)
    expect(inner.contentType.params).toMatchObject({ hp: 'cipher', 'protected-headers': 'v1' })
    expect(inner.headers.find((h) => h.name === 'Subject')?.value).toBe('Bilanz')
    expect(Buffer.compare(Buffer.from(decodeBody(inner.children[1]!)), Buffer.from(attachment))).toBe(0)
  })

  it('writes multipart/signed mail whose part 1 gpg verifies, with micalg naming the hash gpg reports', async () => {
    const result = await composeMessage(
      {
        from: 'anna@kanzlei.test',
        to: ['gerd@mandant.test'],
        cc: [],
        subject: 'Nur signiert',
        body: 'From the desk of Anna:\ntrailing space here \n',
        attachments: [],
        encrypt: 'none',
        sign: true,
      },
      { keys: vault.contents.keys, now, technologies: messageTechnologies },
    )
    const root = parseMime(result.bytes)
    expect(root.contentType.type).toBe('multipart/signed')
    const signature = join(dir, 'part2.asc')
    const { writeFile } = await import('node:fs/promises')
    await writeFile(signature, decodeBody(root.children[1]!))
    const content = join(dir, 'part1.eml')
    await writeFile(content, root.children[0]!.raw)
    const verified = gpg.ok(['--verify', signature, content])
    const valid = verified.statusLines.find((l) => l.startsWith('VALIDSIG '))!.split(' ')
    const hashNames: Record<string, string> = { '8': 'sha256', '9': 'sha384', '10': 'sha512', '11': 'sha224' }
    expect(`pgp-${hashNames[valid[8]!]}`).toBe(root.contentType.params.micalg)
    expect(Buffer.from(root.children[0]!.raw).includes(Buffer.from('\n'))).toBe(true)
    expect(/(?<!\r)\n/.test(text(root.children[0]!.raw))).toBe(false) // canonical CRLF only
    // And we read our own signed mail as valid (round trip through the same parser).
    const opened = await openMessage(result.bytes, messageTechnologies, { keys: vault.contents.keys, now })
    expect(opened.document.security.signature.state).toBe('valid')
    expect(opened.document.headers.subject).toBe('Nur signiert')
    expect(opened.document.text).toBe('From the desk of Anna:\ntrailing space here \n')
  })

  it('writes a revocation certificate that gpg applies to our key', async () => {
    const own = findKey(vault.contents, ownFingerprint)
    const { certificate, revoked } = await revokeOpenpgpKey(own, now)
    expect(revoked.flags.revoked).toBe(true)
    const fresh = new GpgHome()
    try {
      fresh.ok(
        ['--import'],
        await exportKey(vault, keyTechnologies, ownFingerprint, {
          part: 'public',
          format: undefined,
          passphrase: null,
          compat: false,
        }),
      )
      fresh.ok(['--import'], certificate)
      expect(fresh.ok(['--with-colons', '--list-keys', ownFingerprint]).stdout.toString()).toMatch(/^pub:r:/m)
    } finally {
      fresh.close()
    }
  })

  it('applies the revocation certificate gpg kept for its key (openpgp-revocs.d) to the stored copy', async () => {
    const other = await openVault({
      profileDir: join(dir, 'revocation'),
      keySource: { mode: 'keychain', store: memorySecretStore() },
    })
    await importKeyFile(
      other,
      keyTechnologies,
      { bytes: gpg.ok(['--armor', '--export', gpgFingerprint]).stdout, fileName: 'gerd.asc', path: '/in/gerd.asc' },
      { passphrase: null, now },
    )
    expect(findKey(other.contents, gpgFingerprint).flags.revoked).toBe(false)
    // gpg writes it with a ":" before the armor so that it is not imported by accident.
    const certificate = readFileSync(join(gpg.dir, 'openpgp-revocs.d', `${gpgFingerprint}.rev`))
    expect(certificate.toString()).toMatch(/^:-----BEGIN PGP PUBLIC KEY BLOCK-----/m)
    const [applied] = await importKeyFile(
      other,
      keyTechnologies,
      { bytes: certificate, fileName: `${gpgFingerprint}.rev`, path: '/in/gerd.rev' },
      { passphrase: null, now },
    )
    expect(applied).toMatchObject({ fingerprint: gpgFingerprint, flags: { revoked: true } })
    expect(findKey(other.contents, gpgFingerprint).flags.revoked).toBe(true)
    expect(other.contents.keys).toHaveLength(1)
  })

  it('flags gpg-made keys bound by SHA-1, or expired, as not usable', async () => {
    const fresh = new GpgHome()
    try {
      fresh.ok([
        '--cert-digest-algo',
        'SHA1',
        '--passphrase',
        '',
        '--quick-gen-key',
        'Alt Sha <alt@mandant.test>',
        'ed25519',
        'sign,cert',
        'never',
      ])
      const [sha1] = await importText(
        await openVault({ profileDir: join(dir, 'sha1'), keySource: { mode: 'keychain', store: memorySecretStore() } }),
        fresh.ok(['--armor', '--export', 'alt@mandant.test']).stdout,
      )
      expect(sha1!.flags.unusableReason).toMatch(/bound only by a SHA-1 signature/)
      fresh.ok([
        '--faked-system-time',
        '20200101T000000!',
        '--passphrase',
        '',
        '--quick-gen-key',
        'Old Key <old@mandant.test>',
        'ed25519',
        'default',
        '1y',
      ])
      const [old] = await importText(
        await openVault({ profileDir: join(dir, 'old'), keySource: { mode: 'keychain', store: memorySecretStore() } }),
        fresh.ok(['--armor', '--export', 'old@mandant.test']).stdout,
      )
      expect(old!.expires).toMatch(/^2020-12-31/)
      const { summarizeKey } = await import('../../main/core/keys/stored-key.ts')
      expect(summarizeKey(old!, new Date()).status).toBe('expired')
    } finally {
      fresh.close()
    }
  })

  it('generates an RSA-4096 key that gpg imports and encrypts to', async () => {
    const rsa = await generateOpenpgpKey({ name: 'Rita RSA', email: 'rita@kanzlei.test', algorithm: 'rsa4096', now })
    expect(rsa.material.algorithm).toBe('rsaEncryptSign4096')
    const fresh = new GpgHome()
    try {
      const other = await openVault({
        profileDir: join(dir, 'rsa'),
        keySource: { mode: 'keychain', store: memorySecretStore() },
      })
      await other.update((draft) => void draft.keys.push(rsa))
      fresh.ok(
        ['--import'],
        await exportKey(other, keyTechnologies, rsa.fingerprint, {
          part: 'public',
          format: undefined,
          passphrase: null,
          compat: false,
        }),
      )
      expect(fresh.ok(['--with-colons', '--list-keys', rsa.fingerprint]).stdout.toString()).toMatch(
        /^pub:[^:]*:4096:1:/m,
      )
      const sealed = fresh.ok(
        ['--armor', '--encrypt', '--trust-model', 'always', '-r', rsa.fingerprint],
        'an Rita',
      ).stdout
      const mail = Buffer.concat([
        Buffer.from('From: x@y.test\r\nTo: rita@kanzlei.test\r\n'),
        Buffer.from('Content-Type: text/plain\r\n\r\n'),
        sealed,
      ])
      const opened = await openMessage(mail, messageTechnologies, { keys: other.contents.keys, now })
      expect(opened.document.security.encryption.state).toBe('encrypted')
      expect(opened.document.text.trim()).toBe('an Rita')
    } finally {
      fresh.close()
    }
  })
})
