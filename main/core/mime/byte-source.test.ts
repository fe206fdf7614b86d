import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  fileSource,
  memorySource,
  sourceChunkBytes,
  sourceChunks,
  sourceChunksAhead,
  sourceChunksReused,
  sourceIndexOf,
} from './byte-source.ts'

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

it('sourceChunksAhead reads the same bytes, the next chunk into a second buffer while this one is used', async () => {
  const bytes = randomBytes(3 * sourceChunkBytes + 12_345)
  writeFileSync(join(dir, 'ahead.bin'), bytes)
  const source = fileSource(join(dir, 'ahead.bin'))
  try {
    expect(source.readIntoAsync).toBeTypeOf('function')
    for (const [start, end] of [
      [0, bytes.length],
      [7, bytes.length - 3],
      [sourceChunkBytes, sourceChunkBytes + 10],
      [5, 5],
    ] as const) {
      const copies: Buffer[] = []
      const buffers = new Set<ArrayBufferLike>()
      for await (const chunk of sourceChunksAhead(source, start, end)) {
        copies.push(Buffer.from(chunk))
        buffers.add(chunk.buffer)
      }
      expect(Buffer.concat(copies).equals(bytes.subarray(start, end)), `${start}-${end}`).toBe(true)
      expect(buffers.size).toBeLessThanOrEqual(2)
    }
    // A consumer that stops after the first chunk: the read already under way ends before the generator does.
    for await (const chunk of sourceChunksAhead(source)) {
      expect(Buffer.from(chunk).equals(bytes.subarray(0, sourceChunkBytes))).toBe(true)
      break
    }
  } finally {
    source.close()
  }
  // a source without readIntoAsync: sourceChunksReused
  const memory = memorySource(new Uint8Array(bytes))
  const chunks: Uint8Array[] = []
  for await (const chunk of sourceChunksAhead(memory)) chunks.push(chunk)
  expect(Buffer.concat(chunks).equals(bytes)).toBe(true)
})

it('sourceChunksAhead of a file that is shorter than its source says: the chunks it could read', async () => {
  const path = join(dir, 'shrunk.bin')
  writeFileSync(path, randomBytes(sourceChunkBytes + 100))
  const source = fileSource(path)
  try {
    writeFileSync(path, Buffer.from('abc'))
    const chunks: Uint8Array[] = []
    for await (const chunk of sourceChunksAhead(source)) chunks.push(Buffer.from(chunk))
    expect(Buffer.concat(chunks).toString()).toBe('abc')
  } finally {
    source.close()
  }
})

describe('sourceIndexOf', () => {
  it('finds in a file (through its scratch buffer) what it finds in memory, across window borders', () => {
    const bytes = randomBytes(3 * sourceChunkBytes + 123)
    const needle = Buffer.from('\r\n--grenze-123\r\n')
    // at the start, across the first window border, in the middle, at the very end
    const places = [0, sourceChunkBytes - 5, 2 * sourceChunkBytes + 17, bytes.length - needle.length]
    for (const at of places) needle.copy(bytes, at)
    const path = join(dir, 'mail.eml')
    writeFileSync(path, bytes)
    const file = fileSource(path)
    try {
      const memory = memorySource(new Uint8Array(bytes))
      expect(file.readInto).toBeTypeOf('function')
      for (const [from, to] of [
        [0, bytes.length],
        [1, bytes.length],
        [places[1]! + 1, bytes.length],
        [places[2]! + 1, bytes.length],
        [places[2]! + 1, bytes.length - 1],
        [5, 5 + needle.length - 1],
        [bytes.length, bytes.length],
      ] as const) {
        const expected = Buffer.from(bytes.subarray(0, to)).indexOf(needle, from)
        expect(sourceIndexOf(file, needle, from, to), `${from}-${to}`).toBe(expected)
        expect(sourceIndexOf(memory, needle, from, to), `${from}-${to}`).toBe(expected)
      }
    } finally {
      file.close()
    }
  })

  it('readInto reads up to the end of the file and says how much', () => {
    const path = join(dir, 'short.bin')
    writeFileSync(path, Buffer.from('abcdef'))
    const file = fileSource(path)
    try {
      const target = new Uint8Array(4)
      expect(file.readInto!(target, 4)).toBe(2)
      expect(Buffer.from(target.subarray(0, 2)).toString()).toBe('ef')
      expect(file.readInto!(target, 6)).toBe(0)
    } finally {
      file.close()
    }
  })
})
