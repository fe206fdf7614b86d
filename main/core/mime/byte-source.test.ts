import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { fileSource, memorySource, sourceChunkBytes, sourceChunks, sourceChunksReused } from './byte-source.ts'

const dir = mkdtempSync(join(tmpdir(), 'sp-byte-source-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

it('sourceChunksReused reads the bytes of sourceChunks into one buffer, refilled chunk by chunk', () => {
  const bytes = randomBytes(3 * sourceChunkBytes + 12_345)
  writeFileSync(join(dir, 'a.bin'), bytes)
  const source = fileSource(join(dir, 'a.bin'))
  try {
    for (const [start, end] of [
      [0, bytes.length],
      [7, bytes.length - 3],
      [sourceChunkBytes, sourceChunkBytes + 10],
      [5, 5],
    ] as const) {
      const copies: Buffer[] = []
      const buffers = new Set<ArrayBufferLike>()
      for (const chunk of sourceChunksReused(source, start, end)) {
        copies.push(Buffer.from(chunk))
        buffers.add(chunk.buffer)
      }
      expect(Buffer.concat(copies).equals(bytes.subarray(start, end))).toBe(true)
      expect(Buffer.concat([...sourceChunks(source, start, end)]).equals(bytes.subarray(start, end))).toBe(true)
      expect(buffers.size).toBeLessThanOrEqual(1)
    }
  } finally {
    source.close()
  }
  // a source without readInto: its own chunks
  const memory = memorySource(new Uint8Array(bytes))
  expect(Buffer.concat([...sourceChunksReused(memory)]).equals(bytes)).toBe(true)
})
