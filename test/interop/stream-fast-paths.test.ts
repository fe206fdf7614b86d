import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportKey, importKeyFile } from '../../main/core/keys/key-store.ts'
import type { StoredKey } from '../../main/core/keys/stored-key.ts'
import { keyTechnologies } from '../../main/core/keys/technologies.ts'
import { openVault, type Vault } from '../../main/core/keys/vault.ts'
import { composeMessageStream, type ComposeInput } from '../../main/core/message/compose.ts'
import { openMessage } from '../../main/core/message/open.ts'
import { messageTechnologies } from '../../main/core/message/technologies.ts'
import { memorySource } from '../../main/core/mime/byte-source.ts'
import { attachmentEntity, concatBytes, entity, multipart, textEntity } from '../../main/core/mime/build.ts'
import { decodeBody, parseMime } from '../../main/core/mime/parse.ts'
import { armorMessage, dearmorMessage } from '../../main/core/openpgp/armor.ts'
import { generateOpenpgpKey } from '../../main/core/openpgp/generate.ts'
import { GpgHome, hasGpg } from '../helpers/gpg.ts'
import { memorySecretStore } from '../helpers/memory-secret-store.ts'
import { skipUnless } from '../helpers/needs.ts'
import { hasOpenssl, makeTestPki, openssl, type TestPki } from '../helpers/smime-pki.ts'
import { smimeVaultKeys } from '../helpers/smime-vault.ts'

/**
 * The large-message path (worker protocol, byte-level base64 and armor, encrypted spool) against
 * the native tools at the sizes where chunking goes wrong: 0, 1, 64 KiB ± 1, 1 MiB ± 1 (the spool
 * record, the source chunk and the MIME decoder's piece). `fromBytes: 0` sends every encrypted part
 * through it. Both directions must be byte-identical; a changed byte at the start, middle or end of
 * the ciphertext must release nothing (no text, no attachment, no spool file left).
 */
const sizes = [0, 1, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 1]
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
const dir = mkdtempSync(join(tmpdir(), 'sp-fast-paths-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The inner entity a peer encrypts: a text and one attachment, base64 in 76-character lines. */
const innerEntity = (attachment: Uint8Array) =>
  multipart('mixed', {}, [
    textEntity('Guten Tag,\nanbei die Unterlagen.\n'),
    attachmentEntity('Anlage.pdf', 'application/pdf', attachment),
  ])

/** Opens `mail` on the large-message path; the attachment's bytes (or null), the verdicts, and leftover spool files. */
async function openStreamed(mail: Uint8Array, keys: StoredKey[]) {
  const tempDir = mkdtempSync(join(dir, 'spool-'))
  const opened = await openMessage(mail, messageTechnologies, {
    keys,
    now: new Date(),
    streaming: { tempDir, fromBytes: 0 },
  })
  try {
    const chunks = opened.attachmentChunks[0]
    return {
      document: opened.document,
      attachment: chunks ? Buffer.concat([...chunks()]) : null,
      spoolFilesOnFailure: opened.document.security.encryption.state === 'failed' ? readdirSync(tempDir) : [],
    }
  } finally {
    opened.dispose()
    expect(readdirSync(tempDir)).toEqual([])
  }
}

const composeInput = (
  from: string,
  to: string,
  attachment: Uint8Array,
  encrypt: 'smime' | 'openpgp',
): ComposeInput => ({
  from,
  to: [to],
  cc: [],
  subject: 'Unterlagen',
  body: 'Anbei.',
  attachments: [{ fileName: 'Anlage.pdf', contentType: 'application/pdf', bytes: memorySource(attachment) }],
  encrypt,
  sign: true,
})

async function composeStreamed(input: ComposeInput, keys: StoredKey[]) {
  const result = await composeMessageStream(input, {
    keys,
    now: new Date(),
    technologies: messageTechnologies,
    streaming: { tempDir: dir, fromBytes: 0 },
  })
  const chunks: Uint8Array[] = []
  for await (const chunk of result.chunks) chunks.push(chunk)
  return concatBytes(chunks)
}

describe.skipIf(skipUnless('GnuPG (gpg)', hasGpg, 'apt-get install gnupg'))('OpenPGP fast paths against gpg', () => {
  let gpg: GpgHome
  let vault: Vault
  let gpgFingerprint: string
  const gpgUid = 'Gerd Gnupg <gerd@mandant.test>'
  const gpgPass = 'gerd-geheim'

  beforeAll(async () => {
    gpg = new GpgHome()
    vault = await openVault({ profileDir: dir, keySource: { mode: 'keychain', store: memorySecretStore() } })
    gpgFingerprint = gpg.generate(gpgUid, gpgPass)
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const now = new Date()
    const own = await generateOpenpgpKey({ name: 'Anna', email: 'anna@kanzlei.test', algorithm: 'curve25519', now })
    await vault.update((draft) => void draft.keys.push(own))
    const ownPublic = await exportKey(vault, keyTechnologies, own.fingerprint, {
      part: 'public',
      format: undefined,
      passphrase: null,
      compat: false,
    })
    gpg.ok(['--import'], ownPublic)
    gpg.ok(['--passphrase', gpgPass, '--quick-lsign-key', own.fingerprint])
    await importKeyFile(
      vault,
      keyTechnologies,
      { bytes: gpg.ok(['--armor', '--export', gpgFingerprint]).stdout, fileName: 'gerd.asc', path: '/in/gerd.asc' },
      { passphrase: null, now },
    )
  })
  afterAll(() => gpg?.close())

  /** gpg's signed+encrypted PGP/MIME mail to Anna, its armored ciphertext replaceable. */
  const gpgMail = (armored: string) =>
    concatBytes([
      new TextEncoder().encode(
        'From: gerd@mandant.test\r\nTo: anna@kanzlei.test\r\nSubject: Unterlagen\r\nMIME-Version: 1.0\r\n',
      ),
      multipart('encrypted', { protocol: 'application/pgp-encrypted' }, [
        entity([['Content-Type', 'application/pgp-encrypted']], 'Version: 1\r\n'),
        entity([['Content-Type', 'application/octet-stream']], armored.replace(/\r?\n/g, '\r\n')),
      ]),
    ])
  const gpgEncrypt = (inner: Uint8Array) =>
    gpg.ok(
      [
        '--armor',
        '--sign',
        '--encrypt',
        '-u',
        gpgFingerprint,
        '--passphrase',
        gpgPass,
        '--trust-model',
        'always',
      ].concat(['-r', 'anna@kanzlei.test', '--compress-algo', 'none']),
      inner,
    ).stdout

  it('opens what gpg wrote, byte-identical, at every size', async () => {
    for (const size of sizes) {
      const attachment = randomBytes(size)
      const opened = await openStreamed(gpgMail(gpgEncrypt(innerEntity(attachment)).toString()), vault.contents.keys)
      expect(opened.document.security.signature, `size ${size}`).toMatchObject({ state: 'valid' })
      expect(opened.attachment && sha256(opened.attachment), `size ${size}`).toBe(sha256(attachment))
    }
  })

  it('writes what gpg decrypts with a good signature, byte-identical, at every size', async () => {
    for (const size of sizes) {
      const attachment = randomBytes(size)
      const mail = await composeStreamed(
        composeInput('anna@kanzlei.test', 'gerd@mandant.test', attachment, 'openpgp'),
        vault.contents.keys,
      )
      const root = parseMime(mail)
      const decrypted = gpg.ok(['--decrypt', '--passphrase', gpgPass], decodeBody(root.children[1]!))
      expect(decrypted.statusLines, `size ${size}`).toContain('DECRYPTION_OKAY')
      expect(
        decrypted.statusLines.some((l) => l.startsWith('GOODSIG ')),
        `size ${size}`,
      ).toBe(true)
      const inner = parseMime(decrypted.stdout)
      expect(sha256(decodeBody(inner.children[1]!)), `size ${size}`).toBe(sha256(attachment))
    }
  })

  it('a changed ciphertext byte at the start, middle or end releases nothing', async () => {
    const attachment = randomBytes(1024 * 1024 + 1)
    const binary = dearmorMessage(new Uint8Array(gpgEncrypt(innerEntity(attachment))))!
    // after the session-key packet (start), the middle, and the MDC at the end
    for (const at of [200, Math.floor(binary.length / 2), binary.length - 5]) {
      const tampered = new Uint8Array(binary)
      tampered[at]! ^= 0x01
      const armored = Buffer.from(armorMessage(tampered)).toString('latin1')
      const opened = await openStreamed(gpgMail(armored), vault.contents.keys)
      expect(opened.document.security.encryption.state, `byte ${at}`).toBe('failed')
      expect(opened.document.text, `byte ${at}`).toBe('')
      expect(opened.attachment, `byte ${at}`).toBeNull()
      expect(opened.spoolFilesOnFailure, `byte ${at}`).toEqual([])
    }
  })

  it('a damaged armor (checksum, a changed digit, cut off) releases nothing', async () => {
    const attachment = randomBytes(1024 * 1024 + 1)
    const armored = gpgEncrypt(innerEntity(attachment)).toString()
    const lines = armored.split('\n')
    const body = lines.findIndex((line) => line.trim() === '') + 1
    const checksumLine = lines.findIndex((line) => /^=[A-Za-z0-9+/]{4}\s*$/.test(line))
    expect(checksumLine).toBeGreaterThan(body)
    const flip = (line: string) =>
      line.replace(/^(.{10})(.)/, (_m, head: string, c: string) => head + (c === 'A' ? 'B' : 'A'))
    const withLine = (index: number, line: string) => lines.map((l, i) => (i === index ? line : l)).join('\n')
    const damaged = {
      checksum: withLine(checksumLine, lines[checksumLine]!.startsWith('=AAAA') ? '=BBBB' : '=AAAA'),
      // a digit in the middle changed: the checksum no longer matches (the MDC would not either)
      digit: withLine(Math.floor((body + checksumLine) / 2), flip(lines[Math.floor((body + checksumLine) / 2)]!)),
      cutOff: lines.slice(0, Math.floor((body + checksumLine) / 2)).join('\n'),
    }
    for (const [name, text] of Object.entries(damaged)) {
      const opened = await openStreamed(gpgMail(text), vault.contents.keys)
      expect(opened.document.security.encryption.state, name).toBe('failed')
      expect(opened.document.text, name).toBe('')
      expect(opened.attachment, name).toBeNull()
      expect(opened.spoolFilesOnFailure, name).toEqual([])
    }
  })
})

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))(
  'S/MIME fast paths against openssl',
  () => {
    const pkiDir = mkdtempSync(join(dir, 'pki-'))
    const pki: TestPki = makeTestPki(pkiDir)
    const { own, publicOnly, anchor } = smimeVaultKeys(pki)
    const franVault = [own(pki.fran), publicOnly(pki.alice), ...anchor]
    const cms = (args: string[]) => openssl(['cms', ...args], { cwd: pkiDir })

    /** Alice's mail to Fran as OpenSSL writes it: multipart/signed, then enveloped (CBC) or authEnveloped (GCM). */
    function opensslMail(attachment: Uint8Array, cipher: '-aes256' | '-aes-256-gcm') {
      writeFileSync(join(pkiDir, 'inner.eml'), innerEntity(attachment))
      cms([
        '-sign',
        '-in',
        'inner.eml',
        '-signer',
        pki.alice.certFile,
        '-inkey',
        pki.alice.keyFile,
        '-out',
        'signed.eml',
      ])
      cms(
        ['-encrypt', '-in', 'signed.eml', cipher, '-from', 'alice@example.org', '-to', 'fran@example.org'].concat([
          '-subject',
          'Unterlagen',
          '-out',
          'mail.eml',
          pki.fran.certFile,
        ]),
      )
      return new Uint8Array(readFileSync(join(pkiDir, 'mail.eml')))
    }

    it('opens what openssl wrote (CBC and GCM), byte-identical, at every size', async () => {
      for (const size of sizes) {
        const attachment = randomBytes(size)
        for (const cipher of ['-aes256', '-aes-256-gcm'] as const) {
          const opened = await openStreamed(opensslMail(attachment, cipher), franVault)
          expect(opened.document.security.signature, `size ${size} ${cipher}`).toMatchObject({ state: 'valid' })
          expect(opened.attachment && sha256(opened.attachment), `size ${size} ${cipher}`).toBe(sha256(attachment))
        }
      }
    })

    it('writes what openssl decrypts and verifies, byte-identical, at every size', async () => {
      const aliceVault = [own(pki.alice), publicOnly(pki.fran), ...anchor]
      for (const size of sizes) {
        const attachment = randomBytes(size)
        const mail = await composeStreamed(
          composeInput('alice@example.org', 'fran@example.org', attachment, 'smime'),
          aliceVault,
        )
        writeFileSync(join(pkiDir, 'ours.eml'), mail)
        cms([
          '-decrypt',
          '-in',
          'ours.eml',
          '-recip',
          pki.fran.certFile,
          '-inkey',
          pki.fran.keyFile,
          '-out',
          'ours.signed',
        ])
        cms([
          '-verify',
          '-in',
          'ours.signed',
          '-CAfile',
          pki.ca.certFile,
          '-purpose',
          'smimesign',
          '-out',
          'ours.inner',
        ])
        const inner = parseMime(readFileSync(join(pkiDir, 'ours.inner')))
        expect(sha256(decodeBody(inner.children[1]!)), `size ${size}`).toBe(sha256(attachment))
      }
    })

    it('a changed ciphertext byte at the start, middle or end releases nothing (GCM); CBC loses its signature', async () => {
      const attachment = randomBytes(1024 * 1024 + 1)
      for (const cipher of ['-aes-256-gcm', '-aes256'] as const) {
        const mail = opensslMail(attachment, cipher)
        const root = parseMime(mail)
        const der = Buffer.from(decodeBody(root))
        const bodyStart = mail.length - root.body.length
        const head = mail.subarray(0, bodyStart)
        // into the encrypted content: past the recipient infos (start), the middle, the last block / the tag (end)
        for (const at of [1024, Math.floor(der.length / 2), der.length - 20]) {
          const tampered = Buffer.from(der)
          tampered[at]! ^= 0x01
          const body = tampered.toString('base64').replace(/(.{76})/g, '$1\r\n')
          const opened = await openStreamed(concatBytes([head, new TextEncoder().encode(`${body}\r\n`)]), franVault)
          const what = `${cipher} byte ${at}`
          if (cipher === '-aes-256-gcm') {
            expect(opened.document.security.encryption.state, what).toBe('failed')
            expect(opened.document.text, what).toBe('')
            expect(opened.attachment, what).toBeNull()
            expect(opened.spoolFilesOnFailure, what).toEqual([])
          } else expect(opened.document.security.signature.state, what).not.toBe('valid')
        }
      }
    })
  },
)
