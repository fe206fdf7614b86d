import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSpool, spoolRecordBytes } from './spool.ts'

describe('encrypted spool', () => {
  let parent: string
  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'sp-spool-test-'))
  })
  afterEach(() => rmSync(parent, { recursive: true, force: true }))

  const fileOf = () => {
    const [dir] = readdirSync(parent)
    return join(parent, dir!, 'data')
  }

  it('reads back every range byte for byte; on disk there is no plaintext, the file is 0600, dispose removes it', () => {
    const plain = new Uint8Array(randomBytes(10_000))
    const writer = createSpool(parent, 1024)
    for (let at = 0; at < plain.length; at += 777) writer.write(plain.subarray(at, at + 777))
    const spool = writer.finish()
    expect(spool.length).toBe(plain.length)
    for (const [start, end] of [
      [0, 10_000],
      [1000, 1100],
      [1020, 3000],
      [9_999, 20_000],
      [5, 5],
    ] as const) {
      expect(Buffer.compare(Buffer.from(spool.read(start, end)), Buffer.from(plain.subarray(start, end)))).toBe(0)
    }
    const onDisk = readFileSync(fileOf())
    expect(onDisk.includes(Buffer.from(plain.subarray(2000, 2032)))).toBe(false)
    expect(statSync(fileOf()).mode & 0o777).toBe(0o600)
    expect(statSync(join(fileOf(), '..')).mode & 0o777).toBe(0o700)
    spool.dispose()
    spool.dispose()
    expect(readdirSync(parent)).toEqual([])
  })

  it('reads records of the product size in any order, by read and readInto, with records freed as they leave its cache', () => {
    const plain = new Uint8Array(randomBytes(5 * spoolRecordBytes + 4321))
    const writer = createSpool(parent)
    for (let at = 0; at < plain.length; at += 300_001) writer.write(plain.subarray(at, at + 300_001))
    const spool = writer.finish()
    const target = new Uint8Array(spoolRecordBytes + 17)
    const ranges = [4, 0, 2, 5, 1, 3, 0, 5].map((record, i) => record * spoolRecordBytes - (i % 3) * 1000)
    for (const start of ranges.map((at) => Math.max(0, at))) {
      const end = start + spoolRecordBytes + 17
      const expected = Buffer.from(plain.subarray(start, end))
      expect(Buffer.from(spool.read(start, end)).equals(expected)).toBe(true)
      const n = spool.readInto!(target, start)
      expect(n).toBe(expected.length)
      expect(Buffer.from(target.subarray(0, n)).equals(expected)).toBe(true)
    }
    expect(spool.readInto!(target, plain.length)).toBe(0)
    spool.dispose()
  })

  it('refuses a changed or cut-off file instead of returning wrong bytes', () => {
    const writer = createSpool(parent, 1024)
    writer.write(new Uint8Array(randomBytes(3000)))
    const spool = writer.finish()
    const file = fileOf()
    const sealed = readFileSync(file)
    sealed[100]! ^= 1
    writeFileSync(file, sealed)
    expect(() => spool.read(0, 10)).toThrow()
    writeFileSync(file, sealed.subarray(0, 2 * (1024 + 16)))
    expect(() => spool.read(2500, 2600)).toThrow()
    spool.dispose()
  })

  it('a spool that is never finished is removed by dispose', () => {
    const writer = createSpool(parent)
    writer.write(new Uint8Array(100))
    writer.dispose()
    expect(readdirSync(parent)).toEqual([])
  })

  it('finds delimiter lines from its index exactly where a scan of the bytes finds them, across chunk borders', () => {
    // Text with many lines that start with "--" (some delimiters, some look-alikes), cut into odd chunks.
    const lines = Array.from({ length: 3000 }, (_, i) =>
      i % 7 === 0 ? '--b-1' : i % 11 === 0 ? '--b-1x' : i % 5 === 0 ? 'x--b-1' : `line ${i} -- text`,
    )
    const plain = Buffer.from(`--b-1\r\n${lines.join('\r\n')}\n--b-1--\r\n`)
    const scan = (needle: Buffer, from: number, to: number) => {
      for (
        let at = plain.indexOf(needle, from);
        at >= 0 && at + needle.length <= to;
        at = plain.indexOf(needle, at + 1)
      )
        if (at === from || plain[at - 1] === 0x0a) return at
      return -1
    }
    for (const chunk of [1, 2, 3, 1000]) {
      const writer = createSpool(parent, 512)
      for (let at = 0; at < plain.length; at += chunk) writer.write(plain.subarray(at, at + chunk))
      const spool = writer.finish()
      expect(spool.lineIndexOf).toBeDefined()
      for (const needle of [Buffer.from('--b-1'), Buffer.from('--b-1x'), Buffer.from('line 3'), Buffer.from('--')]) {
        let found = 0
        for (let from = 0; from < plain.length; from += 101) {
          const to = Math.min(plain.length, from + 5000)
          const expected = scan(needle, from, to)
          expect(spool.lineIndexOf!(needle, from, to)).toBe(expected)
          if (expected >= 0) found++
        }
        expect(found).toBeGreaterThan(0)
      }
      spool.dispose()
    }
  })
})
