import { randomBytes } from 'node:crypto'
import { expect, it } from 'vitest'
import { hasWasmLines, writeBase64Lines, writeBase64LinesWithoutWasm } from './base64-encode-lines.ts'

/** The reference: Node's base64, cut into 76-character lines, each ended by CRLF. */
function reference(bytes: Uint8Array): Buffer {
  const digits = Buffer.from(bytes).toString('base64')
  return Buffer.from((digits.match(/.{1,76}/g) ?? []).map((line) => `${line}\r\n`).join(''), 'latin1')
}

const piece = 57 * 1024
const sizes = [0, 1, 2, 3, 56, 57, 58, 114, 1000, piece - 1, piece, piece + 1, 3 * piece + 100, 24 * piece + 5]

it('writes the lines of Node base64 with CRLF, at any offset into the buffer, with and without WebAssembly', () => {
  expect(hasWasmLines()).toBe(true)
  for (const size of sizes) {
    const bytes = randomBytes(size)
    const expected = reference(bytes)
    for (const offset of [0, 1, 2, 78, 4097]) {
      for (const write of [writeBase64Lines, writeBase64LinesWithoutWasm]) {
        const out = Buffer.alloc(offset + expected.length + 3, 0xee)
        const end = write(bytes, out, offset)
        expect(end, `size ${size} offset ${offset} ${write.name}`).toBe(offset + expected.length)
        expect(out.subarray(offset, end).equals(expected), `size ${size} offset ${offset} ${write.name}`).toBe(true)
        // nothing written before the offset or after the end
        expect(out.subarray(0, offset).every((b) => b === 0xee)).toBe(true)
        expect(out.subarray(end).every((b) => b === 0xee)).toBe(true)
      }
    }
  }
})

it('a view into a larger buffer is read from its own offset (the encoder gets subarrays)', () => {
  const whole = randomBytes(3 * piece)
  const view = whole.subarray(100, 100 + 2 * piece + 7)
  const out = Buffer.alloc(reference(view).length)
  writeBase64Lines(view, out, 0)
  expect(out.equals(reference(view))).toBe(true)
})
