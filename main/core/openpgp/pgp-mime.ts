import {
  createMessage,
  encrypt,
  enums,
  readCleartextMessage,
  readSignature,
  sign,
  verify,
  type PrivateKey,
} from 'openpgp'
import { summarizeKey } from '../keys/stored-key.ts'
import { entity, entityHead, multipart, multipartStream, type HeaderList } from '../mime/build.ts'
import { decodeBody, decodedBodyChunks, type MimePart } from '../mime/parse.ts'
import { decryptPartToSpool, isLargePart } from '../streaming/large-part.ts'
import type { DecryptOutcome, InlineOutcome, MessageTechnology, OfferedKey, OpenContext, StreamingContext } from '../message/technology.ts'
import { armorMessage, dearmorMessage } from './armor.ts'
import { openpgpConfig, textDecoder } from './config.ts'
import { describeKey } from './key-info.ts'
import { loadKey } from './key-technology.ts'
import { keysInMessage } from './mail-keys.ts'
import { checkSignatures, decryptFailure, firstLine, loadAll, verificationDate } from './checks.ts'
import { decryptToSink, type DecryptSummary } from './decrypt-stream.ts'
import { openpgpThroughWorker, serveOpenpgp } from './stream-worker.ts'

const isType = (part: MimePart, type: string, protocol: string) =>
  part.contentType.type === type && (part.contentType.params.protocol ?? '').toLowerCase() === protocol && part.children.length >= 2

const armored = (bytes: Uint8Array) => textDecoder.decode(bytes)

/** Re-encode CRLF canonicalization without touching 8-bit bytes. */
function canonicalLineEnds(bytes: Uint8Array): Uint8Array {
  const out: number[] = []
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a && (i === 0 || bytes[i - 1] !== 0x0d)) out.push(0x0d)
    out.push(bytes[i]!)
  }
  return new Uint8Array(out)
}

/** Decrypts a message held in memory (inline blocks, small mail); large mail goes through decryptLarge. */
async function decryptArmoredOrBinary(data: Uint8Array, context: OpenContext) {
  const isArmored = armored(data.subarray(0, 1024)).includes('-----BEGIN PGP ')
  const binary = isArmored ? dearmorMessage(data) : data
  const chunks: Uint8Array[] = []
  const summary = await decryptToSink(binary ? chunked(binary) : armored(data), context, (chunk) => chunks.push(chunk))
  return { content: await collect(chunks), ...summary }
}

/**
 * A large encrypted payload, decrypted through the worker into an encrypted spool
 * (streaming/large-part.ts). The spool is handed out only after the worker reported the MDC and
 * signatures checked; on any failure it is gone before this throws.
 */
async function decryptLarge(payload: MimePart, context: OpenContext, streaming: StreamingContext) {
  const first = decodedBodyChunks(payload).next().value ?? new Uint8Array()
  const isArmored = armored(first.subarray(0, 1024)).includes('-----BEGIN PGP ')
  const job = { kind: 'decrypt' as const, keys: [...context.keys], now: context.now, isArmored }
  const request = { technology: 'openpgp' as const, job }
  const { spool: content, result } = await decryptPartToSpool<DecryptSummary>(payload, streaming, request, serveOpenpgp)
  if (streaming.keep) streaming.keep(content.dispose)
  else content.dispose()
  // The worker sent copies of the vault's keys back; the verdict works with the vault's own.
  const signatures = result.signatures.map((check) => ({ ...check, key: check.key ? (context.keys.find((k) => k.technology === 'openpgp' && k.fingerprint === check.key!.fingerprint) ?? check.key) : null }))
  return { content, signatures, recipients: result.recipients }
}

const versionEntity = () => entity([['Content-Type', 'application/pgp-encrypted'], ['Content-Description', 'PGP/MIME version identification']], 'Version: 1\r\n')
const encryptedPartHeaders: HeaderList = [
  ['Content-Type', 'application/octet-stream; name="encrypted.asc"'],
  ['Content-Description', 'OpenPGP encrypted message'],
  ['Content-Disposition', 'inline; filename="encrypted.asc"'],
]

const chunkSize = 1024 * 1024

/** A byte array as a Web Stream of 1 MiB views (no copies). */
function chunked(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close()
      controller.enqueue(bytes.subarray(offset, offset + chunkSize))
      offset += chunkSize
    },
  })
}

/** Reads a Web Stream (or a finished array) to one byte array, concatenating once. */
async function collect(data: ReadableStream<Uint8Array> | Uint8Array | Uint8Array[]): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return data
  const chunks: Uint8Array[] = []
  for await (const chunk of data) chunks.push(chunk)
  const joined = Buffer.concat(chunks)
  return new Uint8Array(joined.buffer, joined.byteOffset, joined.length)
}

const messageBlock = /-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/
const signedBlock = /-----BEGIN PGP SIGNED MESSAGE-----[\s\S]*?-----END PGP SIGNATURE-----/

function hashName(id: number): string {
  return enums.read(enums.hash, id).toLowerCase()
}

/**
 * MS Exchange rewrites PGP/MIME into multipart/mixed [empty text/plain, application/pgp-encrypted,
 * application/octet-stream]; Thunderbird and Enigmail repair it, so do we (nothing else is shown).
 */
function isExchangeMangled(part: MimePart): boolean {
  const [text, version, payload] = part.children
  return (
    part.contentType.type === 'multipart/mixed' &&
    part.children.length === 3 &&
    text!.contentType.type === 'text/plain' &&
    text!.children.length === 0 &&
    textDecoder.decode(decodeBody(text!)).trim() === '' &&
    version!.contentType.type === 'application/pgp-encrypted' &&
    payload!.contentType.type === 'application/octet-stream'
  )
}

/** An armored block as HTML mail or Exchange leave it: blank or space-only lines inside, odd indentation. */
function normalizeArmor(block: string): string {
  const lines = block.split(/\r?\n/).map((line) => line.replace(/[\s\u00a0]+/g, ''))
  const [begin, ...rest] = lines.filter((line) => line !== '')
  const headers = rest.filter((line) => /^[A-Za-z-]+:/.test(line))
  const body = rest.filter((line) => !/^[A-Za-z-]+:/.test(line))
  return [begin!.replace('-----BEGINPGPMESSAGE-----', '-----BEGIN PGP MESSAGE-----'), ...headers, '', ...body.map((l) => l.replace('-----ENDPGPMESSAGE-----', '-----END PGP MESSAGE-----'))].join('\n')
}

export const openpgpMessageTechnology: MessageTechnology = {
  technology: 'openpgp',
  isEncrypted: (part) => isType(part, 'multipart/encrypted', 'application/pgp-encrypted') || isExchangeMangled(part),
  isSigned: (part) => isType(part, 'multipart/signed', 'application/pgp-signature'),

  async decrypt(part, context): Promise<DecryptOutcome> {
    try {
      const payload = part.children[part.children.length - 1]!
      const streaming = context.streaming
      if (isLargePart(payload, streaming)) return { ok: true, ...(await decryptLarge(payload, context, streaming)) }
      return { ok: true, ...(await decryptArmoredOrBinary(decodeBody(payload), context)) }
    } catch (error) {
      return { ok: false, reason: decryptFailure(error) }
    }
  },

  async verify(part, context) {
    const content = part.children[0]!.raw
    const loaded = await loadAll(context.keys)
    const run = async (bytes: Uint8Array) => {
      const signature = await readSignature({ armoredSignature: armored(decodeBody(part.children[1]!)), config: openpgpConfig })
      const result = await verify({ message: await createMessage({ binary: bytes }), signature, verificationKeys: loaded.map((e) => e.key), date: verificationDate(context), format: 'binary', config: openpgpConfig })
      return checkSignatures(result.signatures, loaded)
    }
    try {
      let signatures = await run(content)
      // Mail that passed through LF-only storage: the signed form is canonical CRLF (RFC 3156 §5).
      if (signatures.some((s) => s.result === 'bad') && content.includes(0x0a)) {
        const retry = await run(canonicalLineEnds(content))
        if (retry.every((s) => s.result !== 'bad')) signatures = retry
      }
      if (signatures.length === 0) signatures = [{ result: 'bad', key: null, keyId: '', created: null, reason: 'the signature part holds no usable signature' }]
      return { content, signatures }
    } catch (error) {
      return { content, signatures: [{ result: 'bad', key: null, keyId: '', created: null, reason: `the signature part is damaged (${firstLine(error)})` }] }
    }
  },

  async inspectInline(text, context): Promise<InlineOutcome | null> {
    const encrypted = messageBlock.exec(text)
    const signed = signedBlock.exec(text)
    const match = encrypted && (!signed || encrypted.index < signed.index) ? encrypted : signed
    if (!match) return null
    const kind = match === encrypted ? 'encrypted' : 'signed'
    const isWholeBody = text.slice(0, match.index).trim() === '' && text.slice(match.index + match[0].length).trim() === ''
    if (!isWholeBody) return { kind, isWholeBody, text: null, failure: null, signatures: [] }
    if (kind === 'encrypted') {
      try {
        const result = await decryptArmoredOrBinary(new TextEncoder().encode(normalizeArmor(match[0])), context)
        return { kind, isWholeBody, text: textDecoder.decode(result.content).replace(/\r\n/g, '\n'), failure: null, signatures: result.signatures }
      } catch (error) {
        return { kind, isWholeBody, text: null, failure: decryptFailure(error), signatures: [] }
      }
    }
    try {
      const loaded = await loadAll(context.keys)
      const message = await readCleartextMessage({ cleartextMessage: match[0], config: openpgpConfig })
      const result = await verify({ message, verificationKeys: loaded.map((e) => e.key), date: verificationDate(context), config: openpgpConfig })
      return { kind, isWholeBody, text: message.getText().replace(/\r\n/g, '\n'), failure: null, signatures: await checkSignatures(result.signatures, loaded) }
    } catch (error) {
      return { kind, isWholeBody, text: null, failure: `the signed text is damaged (${firstLine(error)})`, signatures: [] }
    }
  },

  async offeredKeys(root, parts): Promise<OfferedKey[]> {
    const offered: OfferedKey[] = []
    for (const { source, key } of await keysInMessage(root, parts)) {
      const info = await describeKey(key, new Date())
      if (!offered.some((o) => o.fingerprint === info.fingerprint)) offered.push({ source, technology: 'openpgp', fingerprint: info.fingerprint, emails: info.emails, isKnown: false })
    }
    return offered
  },

  keyFor(keys, address, purpose, now) {
    const wanted = address.toLowerCase()
    const candidates = keys.filter((key) => {
      if (key.technology !== 'openpgp' || !key.emails.includes(wanted)) return false
      if (summarizeKey(key, now).status !== 'valid' || !key.usage.includes(purpose)) return false
      return purpose === 'encrypt' || key.hasSecret
    })
    candidates.sort((a, b) => Number(b.acceptance === 'verified') - Number(a.acceptance === 'verified') || Date.parse(b.created) - Date.parse(a.created))
    return candidates[0] ?? null
  },

  async sign(content, signer, now) {
    const key = (await loadKey(signer)) as PrivateKey
    const signature = await sign({ message: await createMessage({ binary: content }), signingKeys: key, detached: true, format: 'armored', date: now, config: openpgpConfig })
    const packet = (await readSignature({ armoredSignature: signature, config: openpgpConfig })).packets[0]!
    // RFC 3156 §5: micalg names the hash the signature actually used.
    const micalg = `pgp-${hashName(packet.hashAlgorithm!)}`
    const signaturePart = entity(
      [
        ['Content-Type', 'application/pgp-signature; name="OpenPGP_signature.asc"'],
        ['Content-Description', 'OpenPGP digital signature'],
        ['Content-Disposition', 'attachment; filename="OpenPGP_signature.asc"'],
      ],
      signature.replace(/\r?\n/g, '\r\n'),
    )
    return multipart('signed', { micalg, protocol: 'application/pgp-signature' }, [content, signaturePart])
  },

  async encrypt(content, recipients, signer, now) {
    const encryptionKeys = await Promise.all(recipients.map(async (stored) => (await loadKey(stored)).toPublic()))
    const signingKeys = signer ? [(await loadKey(signer)) as PrivateKey] : []
    // Fed as a Web Stream: openpgp.js then works chunk by chunk instead of copying the whole
    // message at every packet layer (perf-baselines: 2-3x less peak memory for large attachments).
    const ciphertext = await collect(
      await encrypt({
        message: await createMessage({ binary: chunked(content) }),
        encryptionKeys,
        signingKeys,
        format: 'binary',
        date: now,
        config: openpgpConfig,
      }),
    )
    return multipart('encrypted', { protocol: 'application/pgp-encrypted' }, [versionEntity(), entity(encryptedPartHeaders, armorMessage(ciphertext))])
  },

  encryptStream(content, contentSize, recipients, signer, now, streaming) {
    async function* encryptedPart() {
      yield entityHead(encryptedPartHeaders)
      // The worker starts when the writer gets here, and is gone when this part ends, however it ends;
      // it gets its next input only once the writer took the output so far (backpressure).
      const job = { kind: 'encrypt' as const, recipients: [...recipients], signer, now }
      yield* openpgpThroughWorker(streaming, content, job, contentSize)
    }
    return multipartStream('encrypted', { protocol: 'application/pgp-encrypted' }, [versionEntity(), encryptedPart()])
  },

  async outerHeaders(sender, address) {
    // Autocrypt Level 1 §2.1: the sender's public key, so the recipient can answer encrypted.
    const key = (await loadKey(sender)).toPublic()
    const keydata = Buffer.from(key.write()).toString('base64').replace(/(.{72})/g, '$1 ').trim()
    return [['Autocrypt', `addr=${address}; prefer-encrypt=mutual; keydata=${keydata}`]]
  },
}
