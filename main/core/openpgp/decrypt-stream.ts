import { createMessage, decrypt, encrypt, readMessage, type PrivateKey } from 'openpgp'
import { SiegelpostError } from '../errors/index.ts'
import type { StoredKey } from '../keys/stored-key.ts'
import { limits } from '../limits.ts'
import type { SignatureCheck } from '../message/technology.ts'
import { checkSignatures, loadAll, verificationDate } from './checks.ts'
import { openpgpConfig } from './config.ts'
import { loadKey } from './key-technology.ts'

export interface DecryptRequest {
  keys: readonly StoredKey[]
  now: Date
}

export interface DecryptSummary {
  signatures: SignatureCheck[]
  /** E-mail addresses (or key ids) the message is encrypted to. */
  recipients: string[]
}

/**
 * Decrypts one OpenPGP message (a binary stream, or armored text) and hands the plaintext to
 * `write` chunk by chunk, as openpgp.js releases it. That plaintext is NOT yet authenticated:
 * the caller must keep it away from the user, parsers and the disk (other than an encrypted
 * spool) until this promise resolves — only then have the MDC check at the stream's end and
 * every signature check completed. A rejection means: discard everything written.
 */
export async function decryptToSink(
  input: ReadableStream<Uint8Array> | string,
  request: DecryptRequest,
  write: (chunk: Uint8Array) => void,
): Promise<DecryptSummary> {
  const loaded = await loadAll(request.keys)
  const decryptionKeys = loaded.filter((entry) => entry.key.isPrivate()).map((entry) => entry.key as PrivateKey)
  const message =
    typeof input === 'string'
      ? await readMessage({ armoredMessage: input, config: openpgpConfig })
      : await readMessage({ binaryMessage: input, config: openpgpConfig })
  const recipients = message
    .getEncryptionKeyIDs()
    .map((id) => loaded.find((entry) => entry.key.getKeys(id).length > 0)?.stored.emails[0] ?? id.toHex().toUpperCase())
  if (decryptionKeys.length === 0) throw new SiegelpostError('ENCRYPTION_NOT_FOR_YOU')
  const result = await decrypt({
    message,
    decryptionKeys,
    verificationKeys: loaded.map((entry) => entry.key),
    format: 'binary',
    date: verificationDate({ keys: request.keys, now: request.now }),
    // EFAIL: without this, openpgp.js holds the whole plaintext itself until the MDC is checked
    // (4-5x the payload in memory). With it, chunks are released early, and this function's
    // contract takes over the gating: the caller holds them back (memory or an encrypted spool)
    // until the stream ended without error — the MDC check at its end makes it error otherwise.
    // SED without MDC stays refused (allowUnauthenticatedMessages is false).
    config: { ...openpgpConfig, allowUnauthenticatedStream: true },
  })
  let total = 0
  const data = result.data as ReadableStream<Uint8Array> | Uint8Array
  for await (const chunk of data instanceof Uint8Array ? [data] : data) {
    total += chunk.length
    // Also for uncompressed data: what we would have to hold back has a bound.
    if (total > limits.openpgpMaxDecompressedBytes) throw new SiegelpostError('ENCRYPTION_TOO_LARGE')
    write(chunk)
  }
  return { signatures: await checkSignatures(result.signatures, loaded), recipients: [...new Set(recipients)] }
}

/**
 * Encrypts (and signs, when `signer` is given) a plaintext stream to the recipients' keys: one
 * OpenPGP message in the RFC 3156 §6.2 combined form, binary, produced as the input is read.
 */
export async function encryptToStream(
  input: ReadableStream<Uint8Array>,
  request: { recipients: readonly StoredKey[]; signer: StoredKey | null; now: Date },
): Promise<ReadableStream<Uint8Array>> {
  const encryptionKeys = await Promise.all(request.recipients.map(async (stored) => (await loadKey(stored)).toPublic()))
  const signingKeys = request.signer ? [(await loadKey(request.signer)) as PrivateKey] : []
  const output = await encrypt({
    message: await createMessage({ binary: input }),
    encryptionKeys,
    signingKeys,
    format: 'binary',
    date: request.now,
    config: openpgpConfig,
  })
  return output as unknown as ReadableStream<Uint8Array>
}
