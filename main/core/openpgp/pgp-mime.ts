import { createMessage, encrypt, enums, readSignature, sign, verify, type PrivateKey } from 'openpgp'
import { reason } from '../errors/index.ts'
import { entity, entityHead, multipart, multipartStream, type HeaderList } from '../mime/build.ts'
import { decodeBody } from '../mime/parse.ts'
import type { DecryptOutcome, MessageTechnology, OfferedKey } from '../message/technology.ts'
import { armorMessage } from './armor.ts'
import { openpgpConfig } from './config.ts'
import { describeKey } from './key-info.ts'
import { loadKey } from './key-technology.ts'
import { keysInMessage } from './mail-keys.ts'
import { checkSignatures, decryptFailure, firstLine, loadAll, verificationDate } from './checks.ts'
import { inspectInlinePgp } from './inline-pgp.ts'
import { openpgpRecognizer } from './pgp-mime-kind.ts'
import { armored, chunked, collect, decryptArmoredOrBinary, decryptLarge } from './pgp-stream.ts'
import { openpgpThroughWorker } from './stream-worker.ts'
import { isLargePart } from '../streaming/large-part.ts'

/** Re-encode CRLF canonicalization without touching 8-bit bytes. */
function canonicalLineEnds(bytes: Uint8Array): Uint8Array {
  const out: number[] = []
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a && (i === 0 || bytes[i - 1] !== 0x0d)) out.push(0x0d)
    out.push(bytes[i]!)
  }
  return new Uint8Array(out)
}

const versionEntity = () =>
  entity(
    [
      ['Content-Type', 'application/pgp-encrypted'],
      ['Content-Description', 'PGP/MIME version identification'],
    ],
    'Version: 1\r\n',
  )
const encryptedPartHeaders: HeaderList = [
  ['Content-Type', 'application/octet-stream; name="encrypted.asc"'],
  ['Content-Description', 'OpenPGP encrypted message'],
  ['Content-Disposition', 'inline; filename="encrypted.asc"'],
]

function hashName(id: number): string {
  return enums.read(enums.hash, id).toLowerCase()
}

/** OpenPGP's cryptography for `open` and `compose`; message/technologies.ts loads it when a message needs it. */
export const openpgpMessageTechnology: MessageTechnology = {
  ...openpgpRecognizer,

  async decrypt(part, context): Promise<DecryptOutcome> {
    try {
      const payload = part.children[part.children.length - 1]!
      const streaming = context.streaming
      if (isLargePart(payload, streaming))
        return {
          ok: true,
          isAuthenticated: true,
          cipher: 'OpenPGP',
          ...(await decryptLarge(payload, context, streaming)),
        }
      return {
        ok: true,
        isAuthenticated: true,
        cipher: 'OpenPGP',
        ...(await decryptArmoredOrBinary(decodeBody(payload), context)),
      }
    } catch (error) {
      return { ok: false, reason: decryptFailure(error) }
    }
  },

  async verify(part, context) {
    const content = part.children[0]!.raw
    const loaded = await loadAll(context.keys)
    const run = async (bytes: Uint8Array) => {
      const signature = await readSignature({
        armoredSignature: armored(decodeBody(part.children[1]!)),
        config: openpgpConfig,
      })
      const result = await verify({
        message: await createMessage({ binary: bytes }),
        signature,
        verificationKeys: loaded.map((e) => e.key),
        date: verificationDate(context),
        format: 'binary',
        config: openpgpConfig,
      })
      return checkSignatures(result.signatures, loaded)
    }
    try {
      let signatures = await run(content)
      // Mail that passed through LF-only storage: the signed form is canonical CRLF (RFC 3156 §5).
      if (signatures.some((s) => s.result === 'invalid') && content.includes(0x0a)) {
        const retry = await run(canonicalLineEnds(content))
        if (retry.every((s) => s.result !== 'invalid')) signatures = retry
      }
      if (signatures.length === 0)
        signatures = [{ result: 'invalid', key: null, keyId: '', created: null, reason: reason('SIGNATURE_NO_USABLE') }]
      return { content, signatures }
    } catch (error) {
      return {
        content,
        signatures: [
          {
            result: 'invalid',
            key: null,
            keyId: '',
            created: null,
            reason: reason('SIGNATURE_DAMAGED', { detail: firstLine(error) }),
          },
        ],
      }
    }
  },

  inspectInline: inspectInlinePgp,

  async offeredKeys(root, parts): Promise<OfferedKey[]> {
    const offered: OfferedKey[] = []
    for (const { source, key } of await keysInMessage(root, parts)) {
      const info = await describeKey(key, new Date())
      if (!offered.some((o) => o.fingerprint === info.fingerprint))
        offered.push({
          source,
          technology: 'openpgp',
          fingerprint: info.fingerprint,
          emails: info.emails,
          isKnown: false,
        })
    }
    return offered
  },

  async sign(content, signer, now) {
    const key = (await loadKey(signer)) as PrivateKey
    const signature = await sign({
      message: await createMessage({ binary: content }),
      signingKeys: key,
      detached: true,
      format: 'armored',
      date: now,
      config: openpgpConfig,
    })
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
    return multipart('encrypted', { protocol: 'application/pgp-encrypted' }, [
      versionEntity(),
      entity(encryptedPartHeaders, armorMessage(ciphertext)),
    ])
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
    const keydata = Buffer.from(key.write())
      .toString('base64')
      .replace(/(.{72})/g, '$1 ')
      .trim()
    return [['Autocrypt', `addr=${address}; prefer-encrypt=mutual; keydata=${keydata}`]]
  },
}
