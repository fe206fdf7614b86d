import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { open, rename, rm } from 'node:fs/promises'
import { SiegelpostError } from '../errors/index.ts'
import type { ByteSource } from '../mime/byte-source.ts'
import { limits } from '../limits.ts'
import { openBlob, sealBlob } from '../store/sealed-blob.ts'

/**
 * A draft's attachment as a file of sealed pieces (`drafts/<draft>/<attachment>.sgpa`): the file is
 * cut into pieces of `limits.draftChunkBytes`, each sealed with AES-256-GCM under the drafts key. The
 * additional data binds a piece to its draft, attachment, position and whether it is the last one,
 * so pieces cannot be reordered, moved to another attachment, or cut off unnoticed. A piece is a
 * fixed size when sealed, so any byte range is read by opening only the pieces that hold it: the
 * attachment is copied in and read out in bounded memory, never whole.
 */
const magic = Buffer.from('SPDA1\n', 'latin1')
const overhead = 1 + 12 + 16

const contextOf = (draftId: string, attachmentId: string, index: number, isLast: boolean) =>
  `siegelpost/draft-attachment/v1/${draftId}/${attachmentId}/${index}/${isLast ? 'last' : 'more'}`

export interface CopiedAttachment {
  size: number
}

/** Copies the file at `source` into `target` sealed, piece by piece; refuses a file that grows or shrinks meanwhile. */
export async function sealFileInto(
  key: Buffer,
  source: string,
  target: string,
  ids: { draftId: string; attachmentId: string },
  expectedSize: number,
  onProgress?: (done: number) => void,
): Promise<CopiedAttachment> {
  const chunk = limits.draftChunkBytes
  const partial = `${target}.partial`
  const input = await open(source, 'r')
  const output = await open(partial, 'w', 0o600)
  try {
    const buffer = Buffer.allocUnsafe(chunk)
    await output.write(magic)
    let done = 0
    let index = 0
    for (;;) {
      let filled = 0
      while (filled < chunk) {
        const { bytesRead } = await input.read(buffer, filled, chunk - filled, done + filled)
        if (bytesRead === 0) break
        filled += bytesRead
      }
      done += filled
      if (done > expectedSize) throw new SiegelpostError('DRAFT_ATTACHMENT_CHANGED', { path: source })
      const isLast = done === expectedSize
      if (!isLast && filled < chunk) throw new SiegelpostError('DRAFT_ATTACHMENT_CHANGED', { path: source })
      await output.write(
        sealBlob(key, buffer.subarray(0, filled), contextOf(ids.draftId, ids.attachmentId, index, isLast)),
      )
      onProgress?.(done)
      index += 1
      if (isLast) break
    }
    // A file that grew after its size was taken is not the file the user chose.
    const { bytesRead } = await input.read(Buffer.alloc(1), 0, 1, done)
    if (bytesRead !== 0) throw new SiegelpostError('DRAFT_ATTACHMENT_CHANGED', { path: source })
    await output.sync()
  } catch (error) {
    await output.close()
    await rm(partial, { force: true })
    throw error
  } finally {
    await input.close()
  }
  await output.close()
  await rename(partial, target)
  return { size: expectedSize }
}

/** The sealed file of an attachment held in memory (small files: a shared public key). */
export function sealBytes(key: Buffer, bytes: Uint8Array, ids: { draftId: string; attachmentId: string }): Buffer {
  const chunk = limits.draftChunkBytes
  const count = Math.max(1, Math.ceil(bytes.length / chunk))
  const parts: Buffer[] = [magic]
  for (let index = 0; index < count; index++) {
    const piece = bytes.subarray(index * chunk, (index + 1) * chunk)
    parts.push(sealBlob(key, piece, contextOf(ids.draftId, ids.attachmentId, index, index === count - 1)))
  }
  return Buffer.concat(parts)
}

/** The plaintext size a sealed attachment file holds (from its length alone). */
export function plainSizeOf(fileSize: number): number {
  const sealedChunk = limits.draftChunkBytes + overhead
  const body = fileSize - magic.length
  const pieces = Math.max(1, Math.ceil(body / sealedChunk))
  return body - pieces * overhead
}

/**
 * The sealed attachment as a ByteSource (what compose reads attachments from): each read opens only
 * the pieces it touches and keeps the last one. A damaged or cut-off file fails the read that reaches it.
 */
export function openSealedAttachment(
  key: Buffer,
  path: string,
  ids: { draftId: string; attachmentId: string; fileName: string },
): ByteSource & { close(): void } {
  const fd = openSync(path, 'r')
  const fileSize = fstatSync(fd).size
  const sealedChunk = limits.draftChunkBytes + overhead
  const body = fileSize - magic.length
  const pieces = Math.max(1, Math.ceil(body / sealedChunk))
  const length = body - pieces * overhead
  const damaged = () => new SiegelpostError('DRAFT_ATTACHMENT_DAMAGED', { fileName: ids.fileName })
  const head = Buffer.alloc(magic.length)
  readSync(fd, head, 0, magic.length, 0)
  if (!head.equals(magic) || length < 0) {
    closeSync(fd)
    throw damaged()
  }
  let cached: { index: number; plain: Buffer } | null = null
  const piece = (index: number): Buffer => {
    if (cached?.index === index) return cached.plain
    const start = magic.length + index * sealedChunk
    const size = Math.min(sealedChunk, fileSize - start)
    const sealed = Buffer.allocUnsafe(size)
    let got = 0
    while (got < size) {
      const n = readSync(fd, sealed, got, size - got, start + got)
      if (n === 0) break
      got += n
    }
    const plain = openBlob(
      key,
      sealed.subarray(0, got),
      contextOf(ids.draftId, ids.attachmentId, index, index === pieces - 1),
    )
    if (!plain) throw damaged()
    cached = { index, plain }
    return plain
  }
  return {
    length,
    read(start, end) {
      const stop = Math.min(end, length)
      const out = Buffer.allocUnsafe(Math.max(0, stop - start))
      let at = start
      while (at < stop) {
        const index = Math.floor(at / limits.draftChunkBytes)
        const plain = piece(index)
        const offset = at - index * limits.draftChunkBytes
        const n = Math.min(plain.length - offset, stop - at)
        if (n <= 0) throw damaged()
        plain.copy(out, at - start, offset, offset + n)
        at += n
      }
      return new Uint8Array(out.buffer, out.byteOffset, out.length)
    },
    close: () => closeSync(fd),
  }
}
