import { describe, expect, it } from 'vitest'
import { releasableBytes, releaseBytes, releasedBehind } from './release.ts'

const fresh = (bytes: number, fill = 7) => new Uint8Array(bytes).fill(fill)

describe('releasing large buffers', () => {
  it('frees a whole buffer of its own, and leaves small, partial, pooled and shared ones alone', () => {
    const whole = fresh(releasableBytes)
    releaseBytes(whole)
    expect(whole.buffer.detached).toBe(true)
    expect(whole.length).toBe(0)

    const small = fresh(releasableBytes - 1)
    const part = fresh(2 * releasableBytes).subarray(0, releasableBytes)
    const pooled = Buffer.from('a pooled buffer shares its slab with others')
    const shared = new Uint8Array(new SharedArrayBuffer(releasableBytes))
    for (const bytes of [small, part, pooled, shared]) {
      const before = Buffer.from(bytes)
      releaseBytes(bytes)
      expect((bytes.buffer as ArrayBuffer).detached ?? false).toBe(false)
      expect(Buffer.from(bytes).equals(before)).toBe(true)
    }
    releaseBytes(whole) // twice: nothing more happens

    // a smaller floor for buffers known to be their own allocation (a decipher's output); still never a part
    const own = fresh(4096)
    releaseBytes(own, 0)
    expect(own.buffer.detached).toBe(true)
    const pooledPart = Buffer.from('still in the pool')
    releaseBytes(pooledPart, 0)
    expect(pooledPart.toString()).toBe('still in the pool')
  })

  it('releases each chunk only once the consumer asked for the one after the next, never the last', async () => {
    const chunks = [1, 2, 3, 4].map((n) => fresh(releasableBytes, n))
    const seen: boolean[][] = []
    async function* source() {
      yield* chunks
    }
    for await (const chunk of releasedBehind(source())) {
      // the chunk just handed out and the one before it are intact
      expect(chunk.length).toBe(releasableBytes)
      seen.push(chunks.map((c) => c.buffer.detached))
    }
    expect(seen).toEqual([
      [false, false, false, false],
      [false, false, false, false],
      [true, false, false, false],
      [true, true, false, false],
    ])
    expect(chunks.map((c) => c.buffer.detached)).toEqual([true, true, true, false])
    expect(chunks[3]!.every((byte) => byte === 4)).toBe(true)
  })
})
