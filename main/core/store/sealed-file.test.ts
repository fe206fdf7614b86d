import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSealedFileWriter, openSealedFile, readSealedFile, writeSealedFile } from './sealed-file.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-sealed-file-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const key = Buffer.alloc(32, 3)
const record = 1000
/** Each record on disk: 4-byte length, ciphertext, 16-byte tag. */
const sealedRecord = 4 + record + 16

describe('sealed files', () => {
  it('round-trips several records and an empty value, and leaves no temp file', () => {
    const plain = randomBytes(3 * record + 17)
    const path = join(dir, 'a.sealed')
    writeSealedFile(path, key, 'ctx/a', plain, record)
    expect(readSealedFile(path, key, 'ctx/a')).toEqual(plain)
    writeSealedFile(join(dir, 'e.sealed'), key, 'ctx/e', new Uint8Array(0), record)
    expect(readSealedFile(join(dir, 'e.sealed'), key, 'ctx/e')).toEqual(Buffer.alloc(0))
    expect(readSealedFile(join(dir, 'missing'), key, 'ctx/a')).toBeNull()
  })

  it('refuses a file cut at a record border, records swapped, another context or key, and a flipped bit', () => {
    const plain = randomBytes(3 * record)
    const path = join(dir, 'b.sealed')
    writeSealedFile(path, key, 'ctx/b', plain, record)
    const bytes = readFileSync(path)
    const variants: [string, Buffer][] = [
      ['cut after two records', bytes.subarray(0, 2 * sealedRecord)],
      [
        'records 1 and 2 swapped',
        Buffer.concat([
          bytes.subarray(sealedRecord, 2 * sealedRecord),
          bytes.subarray(0, sealedRecord),
          bytes.subarray(2 * sealedRecord),
        ]),
      ],
      ['one bit flipped', Buffer.from(bytes).fill(bytes[10]! ^ 1, 10, 11)],
    ]
    for (const [what, changed] of variants) {
      writeFileSync(path, changed)
      expect(readSealedFile(path, key, 'ctx/b'), what).toBeNull()
    }
    writeFileSync(path, bytes)
    expect(readSealedFile(path, key, 'ctx/other')).toBeNull()
    expect(readSealedFile(path, Buffer.alloc(32, 4), 'ctx/b')).toBeNull()
    expect(readSealedFile(path, key, 'ctx/b')).toEqual(plain)
  })

  it('written piece by piece: the same file, read record by record; nothing there before publish', async () => {
    const read = async (path: string, context: string) => {
      const reader = openSealedFile(path, key, context)
      if (!reader) return null
      const parts: Buffer[] = []
      for await (const part of reader.records()) parts.push(part)
      return { length: reader.length, bytes: Buffer.concat(parts) }
    }
    for (const size of [0, 1, record - 1, record, record + 1, 3 * record + 17]) {
      const plain = randomBytes(size)
      const path = join(dir, `s${size}.sealed`)
      const writer = createSealedFileWriter(path, key, 'ctx/s', record, `${path}.part`)
      for (let at = 0; at < size; at += 333) writer.write(plain.subarray(at, at + 333))
      expect(writer.end()).toBe(size)
      expect(existsSync(path)).toBe(false)
      writer.publish()
      expect(existsSync(`${path}.part`)).toBe(false)
      expect(readSealedFile(path, key, 'ctx/s'), `${size}`).toEqual(plain)
      expect(await read(path, 'ctx/s'), `${size}`).toEqual({ length: size, bytes: plain })
      writeSealedFile(join(dir, 'w'), key, 'ctx/s', plain, record)
      expect(readFileSync(join(dir, 'w')).length).toBe(readFileSync(path).length)
    }
    const plain = randomBytes(3 * record)
    const path = join(dir, 'cut.sealed')
    writeSealedFile(path, key, 'ctx/c', plain, record)
    const bytes = readFileSync(path)
    writeFileSync(path, bytes.subarray(0, 2 * sealedRecord))
    expect(openSealedFile(path, key, 'ctx/c'), 'cut at a record border').toBeNull()
    writeFileSync(path, bytes.subarray(0, 2 * sealedRecord + 7))
    expect(openSealedFile(path, key, 'ctx/c'), 'cut inside a record').toBeNull()
    writeFileSync(path, Buffer.from(bytes).fill(bytes[10]! ^ 1, 10, 11))
    await expect(read(path, 'ctx/c'), 'a flipped bit in the first record').rejects.toThrow()
    writeFileSync(path, bytes)
    expect(openSealedFile(path, key, 'ctx/other')).toBeNull()
    expect(openSealedFile(join(dir, 'missing'), key, 'ctx/c')).toBeNull()
    const aborted = createSealedFileWriter(join(dir, 'a'), key, 'ctx/a', record)
    aborted.write(plain)
    aborted.abort()
    expect(existsSync(join(dir, 'a.tmp'))).toBe(false)
  })
})
