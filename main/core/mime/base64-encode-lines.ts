/**
 * Base64 in 76-character CRLF lines written into a buffer (RFC 2045 §6.8), the hot loop of every large attachment
 * and S/MIME envelope. Each piece of 1024 lines is encoded at once by `toString('base64')`; its lines are then
 * moved apart to make room for the CRLFs. One `copyWithin` per line cost 0.37 s per GiB (a C++ builtin call each,
 * two thirds of the encoding): here a WebAssembly loop (ten word loads and stores per line) does it in a scratch
 * memory, and the finished lines go out with one copy per piece — 0.26 instead of 0.6 s per GiB, byte for byte the
 * same (docs/benchmarks.md). Without WebAssembly (`--jitless`, a CSP without wasm) they are moved by `copyWithin`.
 */

/** Bytes encoded per string: 1024 lines of 57 bytes, strings of 76 KiB that stay in V8's young generation. */
const pieceBytes = 57 * 1024
/** Where the lines are built in the scratch memory (after the 76 KiB of digits). */
const linesAt = 80 * 1024

/**
 * `spread(src, dst, lines)`: copies `lines` runs of 76 bytes from `src` on (76 apart) to `dst` on (78 apart) and
 * writes CRLF after each. Memory: 3 pages of 64 KiB, exported.
 */
function spreadModule(): Uint8Array {
  const local = (index: number) => [0x20, index] // local.get
  const copyLine: number[] = []
  // nine 8-byte words and one 4-byte word (unaligned loads and stores are allowed), then CRLF as one 16-bit store
  for (let k = 0; k < 9; k++) copyLine.push(...local(1), ...local(0), 0x29, 0, 8 * k, 0x37, 0, 8 * k)
  copyLine.push(...local(1), ...local(0), 0x28, 0, 72, 0x36, 0, 72)
  copyLine.push(...local(1), 0x41, 0x8d, 0x14, 0x3b, 0, 76) // i32.const 0x0a0d, i32.store16 offset 76
  // prettier-ignore
  const body = [
    0x00, // no locals besides the parameters src (0), dst (1), lines (2)
    0x02, 0x40, 0x03, 0x40, // block, loop
    ...local(2), 0x45, 0x0d, 1, // lines == 0: leave the block
    ...copyLine,
    ...local(1), 0x41, 0xce, 0x00, 0x6a, 0x21, 1, // dst += 78
    ...local(0), 0x41, 0xcc, 0x00, 0x6a, 0x21, 0, // src += 76
    ...local(2), 0x41, 1, 0x6b, 0x21, 2, // lines -= 1
    0x0c, 0, 0x0b, 0x0b, 0x0b, // continue the loop; end loop, block, function
  ]
  // sizes as unsigned LEB128
  const size = (n: number) => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, n >> 7])
  const section = (id: number, bytes: number[]) => [id, ...size(bytes.length), ...bytes]
  const name = (text: string) => [text.length, ...new TextEncoder().encode(text)]
  const code = [1, ...size(body.length), ...body] // one function body
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0], // \0asm, version 1
    ...section(1, [1, 0x60, 3, 0x7f, 0x7f, 0x7f, 0]), // type: (i32, i32, i32) -> ()
    ...section(3, [1, 0]), // function 0 has type 0
    ...section(5, [1, 0, 3]), // memory: 3 pages, no maximum
    ...section(7, [2, ...name('memory'), 2, 0, ...name('spread'), 0, 0]),
    ...section(10, code),
  ])
}

/** The part of the WebAssembly API used here (the Node type set of this project has no WebAssembly namespace). */
interface Wasm {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object) => { exports: Record<string, unknown> }
}

function loadSpread(): { memory: Buffer; spread: (src: number, dst: number, lines: number) => void } | null {
  try {
    const api = (globalThis as { WebAssembly?: Wasm }).WebAssembly
    if (!api) return null
    const { exports } = new api.Instance(new api.Module(spreadModule()))
    return {
      memory: Buffer.from((exports.memory as { buffer: ArrayBuffer }).buffer),
      spread: exports.spread as (src: number, dst: number, lines: number) => void,
    }
  } catch {
    return null
  }
}

let wasm: ReturnType<typeof loadSpread> | undefined

/** base64 lines of `bytes` written into `out` from `offset` on; returns the offset after the last line end. */
export function writeBase64Lines(bytes: Uint8Array, out: Buffer, offset: number): number {
  if (wasm === undefined) wasm = loadSpread()
  const source = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let at = 0; at < bytes.length; at += pieceBytes) {
    const text = source.toString('base64', at, Math.min(bytes.length, at + pieceBytes))
    const base = offset + (at / 57) * 78
    if (wasm) {
      const { memory, spread } = wasm
      const digits = memory.write(text, 0, 'latin1')
      const whole = Math.floor(digits / 76)
      spread(0, linesAt, whole)
      let length = whole * 78
      const rest = digits - whole * 76
      if (rest > 0) {
        memory.copyWithin(linesAt + length, whole * 76, digits)
        memory[linesAt + length + rest] = 0x0d
        memory[linesAt + length + rest + 1] = 0x0a
        length += rest + 2
      }
      out.set(memory.subarray(linesAt, linesAt + length), base)
      continue
    }
    out.write(text, base, 'latin1')
    for (let line = Math.ceil(text.length / 76) - 1; line >= 0; line--) {
      const from = base + line * 76
      const count = Math.min(76, text.length - line * 76)
      const to = base + line * 78
      out.copyWithin(to, from, from + count)
      out[to + count] = 0x0d
      out[to + count + 1] = 0x0a
    }
  }
  const digits = Math.ceil(bytes.length / 3) * 4
  return offset + digits + Math.ceil(digits / 76) * 2
}

/** Whether the lines are moved by WebAssembly here (for tests). */
export function hasWasmLines(): boolean {
  if (wasm === undefined) wasm = loadSpread()
  return wasm !== null
}

/** For tests: the lines moved with `copyWithin` only, as without WebAssembly. */
export function writeBase64LinesWithoutWasm(bytes: Uint8Array, out: Buffer, offset: number): number {
  const saved = wasm
  wasm = null
  try {
    return writeBase64Lines(bytes, out, offset)
  } finally {
    wasm = saved
  }
}
