import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { writeFileAtomic } from './atomic-file.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sp-atomic-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

it('writes chunks with writes (and flushes) running ahead in their order, and leaves no file when the producer fails', async () => {
  const chunks = Array.from({ length: 200 }, (_, i) => randomBytes(1 + ((i * 40_503) % 300_000)))
  async function* produce(failAt = -1) {
    for (const [index, chunk] of chunks.entries()) {
      if (index === failAt) throw new Error('producer failed')
      // a pause now and then, so that writes finish out of step with the chunks
      if (index % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 1))
      yield chunk
    }
  }
  const path = join(dir, 'out.bin')
  await writeFileAtomic(path, produce(), {}, { backup: false, writesAhead: 4 })
  expect((await readFile(path)).equals(Buffer.concat(chunks))).toBe(true)
  expect((await stat(path)).mode & 0o777).toBe(0o600)

  const failed = join(dir, 'failed.bin')
  await expect(writeFileAtomic(failed, produce(120), {}, { backup: false, writesAhead: 4 })).rejects.toThrow(
    'producer failed',
  )
  await expect(stat(failed)).rejects.toThrow()
  await expect(stat(`${failed}.tmp`)).rejects.toThrow()
})

it('frees each chunk once written (releasesWritten) and still writes every byte, with writes running ahead', async () => {
  // Each chunk a buffer of its own; sizes around the 64 KiB below which nothing is freed, and a few MiB.
  const sizes = [0, 1, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 1024 * 1024 + 1, 3 * 1024 * 1024, 77]
  const chunks = Array.from({ length: 40 }, (_, i) => new Uint8Array(randomBytes(sizes[i % sizes.length]!)))
  const expected = Buffer.concat(chunks)
  const isLarge = chunks.map((chunk) => chunk.byteLength >= 64 * 1024)
  async function* produce() {
    for (const [index, chunk] of chunks.entries()) {
      if (index % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 1))
      yield chunk
    }
  }
  const path = join(dir, 'released.bin')
  await writeFileAtomic(path, produce(), {}, { backup: false, writesAhead: 4, releasesWritten: true })
  expect((await readFile(path)).equals(expected)).toBe(true)
  expect(chunks.map((chunk) => chunk.buffer.detached)).toEqual(isLarge)
})

it('says which file cannot be written when the folder is missing, and passes a failed read of another file through', async () => {
  const missing = join(dir, 'no-such-folder', 'x.eml')
  await expect(writeFileAtomic(missing, [Buffer.from('x')], {}, { backup: false })).rejects.toMatchObject({
    code: 'FILE_UNWRITABLE',
    params: { path: missing, reason: 'ENOENT' },
  })
  await expect(writeFileAtomic(missing, Buffer.from('x'), {}, { backup: false })).rejects.toMatchObject({
    code: 'FILE_UNWRITABLE',
  })
  async function* readsAnother() {
    yield Buffer.from('start')
    yield await readFile(join(dir, 'no-such-input.pdf'))
  }
  const out = join(dir, 'reads-another.eml')
  const error = await writeFileAtomic(out, readsAnother(), {}, { backup: false }).catch((e: unknown) => e)
  expect(error).toMatchObject({ code: 'ENOENT' })
  await expect(stat(out)).rejects.toThrow()
})
