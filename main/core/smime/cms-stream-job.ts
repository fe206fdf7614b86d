import { base64LinesStream } from '../mime/build.ts'
import type { ContentCipher, DecryptIdentity, EncryptRecipient } from './cms-envelope.ts'
import type { SigningIdentity } from './cms-signed.ts'
import { decryptCmsStream, encryptCmsStream, readSignedStream, signCmsStream, type ByteSource } from './cms-stream.ts'
import { SignedContentHasher, type SignedContentDigests } from './signed-stream-digest.ts'
import { releaseBytes, releasedBehind } from '../streaming/release.ts'

/**
 * The large-message S/MIME work as one job, so it can run off the main thread
 * (stream-port.ts serves it on the streaming protocol in a worker thread; this file stays pure:
 * source and sink come in as arguments). Only plain data crosses the thread boundary.
 *
 * - 'sign-encrypt': opaque SignedData inside EnvelopedData (sign-then-encrypt), streamed.
 * - 'decrypt-signed': EnvelopedData/AuthEnvelopedData around opaque SignedData; the content goes
 *   to the sink (unverified and, for CBC/GCM, unauthenticated until the job resolves — the caller
 *   keeps it hidden until then) and the result carries the detached signature plus the content's
 *   digests for verifySmimeSignature({ cms, contentDigests }).
 * - 'encrypt': EnvelopedData (CBC) or AuthEnvelopedData (GCM) around a MIME entity that is
 *   already signed (`open`/`compose` of large mail: smime-message.ts frames multipart/signed);
 *   with `base64` the output is the CMS in base64 lines (the application/pkcs7-mime body as it is
 *   written), encoded in this thread.
 * - 'decrypt': the content of EnvelopedData/AuthEnvelopedData to the sink, again unauthenticated
 *   until the job resolves (the caller writes it to an encrypted spool and releases it after). When the
 *   content is multipart/signed, the result carries the digests of its signed part, hashed here on the
 *   way through (signed-stream-digest.ts), so the caller does not read the spool again to hash it.
 */
export type SmimeStreamJob =
  | { kind: 'sign-encrypt'; signer: SigningIdentity; recipients: EncryptRecipient[]; now: string }
  | { kind: 'decrypt-signed'; identities: DecryptIdentity[] }
  | { kind: 'encrypt'; recipients: EncryptRecipient[]; cipher: ContentCipher; base64?: boolean }
  | { kind: 'decrypt'; identities: DecryptIdentity[] }

export type SmimeStreamResult =
  | { kind: 'sign-encrypt'; bytesIn: number; bytesOut: number }
  | {
      kind: 'decrypt-signed'
      bytesIn: number
      bytesOut: number
      cms: Uint8Array
      contentDigests: Record<string, Uint8Array>
    }
  | { kind: 'encrypt'; bytesIn: number; bytesOut: number }
  | {
      kind: 'decrypt'
      bytesIn: number
      bytesOut: number
      identity: number
      contentAlgorithm: string
      signedContent: SignedContentDigests | null
    }

/**
 * Where a job's output goes; `isOwned`: the job keeps no reference to the chunk (see protocol.ts). A chunk not owned
 * is valid only until the returned promise settles: the sink copies what it keeps (the job may free it after).
 */
export type ByteSink = (chunk: Uint8Array, isOwned?: boolean) => Promise<void> | void

/** Counts the bytes read from `source` into `total`. */
async function* counted(source: ByteSource, total: { bytes: number }): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    total.bytes += chunk.length
    yield chunk
  }
}

/**
 * The chunks of `source`, each freed when the consumer asks for the next: for chunks nothing else refers to (the
 * cipher's outputs of encryptCmsStream) and a consumer that copies what it keeps of one before it asks for the next
 * (the base64 encoder, the protocol's output batch).
 */
async function* releasedWhenUsed(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    yield chunk
    releaseBytes(chunk)
  }
}

/**
 * Runs `job` over `source`, whose chunks are the job's own (they arrive on the streaming protocol, moved or copied from
 * the caller's thread): decryption frees each input chunk's memory once its BER reader is past it (releasedBehind).
 */
export async function runSmimeStreamJob(
  job: SmimeStreamJob,
  source: ByteSource,
  sink: ByteSink,
): Promise<SmimeStreamResult> {
  const read = { bytes: 0 }
  let bytesOut = 0
  const input = counted(source, read)
  const write: ByteSink = (chunk, isOwned) => {
    bytesOut += chunk.length
    return sink(chunk, isOwned)
  }
  if (job.kind === 'sign-encrypt') {
    for await (const chunk of encryptCmsStream(signCmsStream(input, job.signer, new Date(job.now)), job.recipients))
      await write(chunk)
    return { kind: 'sign-encrypt', bytesIn: read.bytes, bytesOut }
  }
  if (job.kind === 'encrypt') {
    // Each input chunk is freed once encrypted, each of the cipher's outputs once it is encoded or copied out.
    const cms = releasedWhenUsed(encryptCmsStream(input, job.recipients, job.cipher, releaseBytes))
    // Each push's lines come in a new buffer (base64LinesStream): moved to the caller, not copied.
    if (job.base64) for await (const lines of base64LinesStream(cms)) await write(lines, true)
    else for await (const chunk of cms) await write(chunk)
    return { kind: 'encrypt', bytesIn: read.bytes, bytesOut }
  }
  if (job.kind === 'decrypt') {
    const info: { identity?: number; contentAlgorithm?: string } = {}
    const signed = new SignedContentHasher()
    for await (const chunk of decryptCmsStream(releasedBehind(input), job.identities, info)) {
      signed.push(chunk) // copies what it keeps
      // Each chunk is the decipher's own new buffer: moved to the caller as it is, not copied into a batch. One too
      // small to be moved was copied into the batch and is freed here (OpenSSL writes 4 KiB segments: 25,000 of them
      // in a 100 MiB mail).
      await write(chunk, true)
      releaseBytes(chunk, 0)
    }
    return {
      kind: 'decrypt',
      bytesIn: read.bytes,
      bytesOut,
      identity: info.identity ?? 0,
      contentAlgorithm: info.contentAlgorithm ?? '',
      signedContent: signed.finish(),
    }
  }
  const { cms, contentDigests } = await readSignedStream(decryptCmsStream(releasedBehind(input), job.identities), write)
  return { kind: 'decrypt-signed', bytesIn: read.bytes, bytesOut, cms, contentDigests }
}
