/**
 * Gives a large buffer's memory back at once instead of at the thread's next garbage collection. V8 frees a dead
 * ArrayBuffer's memory only when it collects the object, and it collects the young generation only after some
 * 32 MiB of new ArrayBuffer memory: a stream that makes a fresh megabyte per chunk (a decipher's output, a chunk
 * moved in from another thread) kept tens of MiB of dead chunks per thread. Detaching the buffer
 * (ArrayBuffer.prototype.transfer(0)) frees its memory now (100 MiB S/MIME open: peak RSS −30 MiB; 1 GiB: −70 MiB).
 *
 * Only for a buffer the caller owns alone — one it made, or one that was moved or copied to it from another thread —
 * and is done with: every view of it becomes empty. Buffers below `releasableBytes` (Node's shared pool slabs among
 * them), views of part of a buffer and shared memory are left to the collector.
 */
export const releasableBytes = 64 * 1024

export function releaseBytes(bytes: Uint8Array): void {
  const buffer = bytes.buffer
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < releasableBytes) return
  if (bytes.byteOffset !== 0 || bytes.byteLength !== buffer.byteLength || buffer.detached) return
  buffer.transfer(0)
}

/**
 * The chunks of `source`, each released once the consumer has asked for the one after the next: for a consumer
 * that keeps no reference to a chunk beyond that (the BER reader of cms-stream.ts keeps at most the rest of the
 * chunk before, and copies it when the next arrives) over a source whose chunks are its own (moved or copied in
 * from another thread).
 */
export async function* releasedBehind(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let older: Uint8Array | null = null
  let previous: Uint8Array | null = null
  for await (const chunk of source) {
    if (older) releaseBytes(older)
    older = previous
    previous = chunk
    yield chunk
  }
  // The consumer asked for more than there was: the chunk before the last is done with. The last one is not (the
  // reader may still hold its rest) and is left to the collector.
  if (older) releaseBytes(older)
}
