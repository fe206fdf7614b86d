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
