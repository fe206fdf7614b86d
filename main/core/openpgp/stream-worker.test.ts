import { randomBytes } from 'node:crypto'
import { expect, it } from 'vitest'
import { openpgpPieceBytes, webStream } from './stream-worker.ts'

it('gives openpgp.js the input in pieces of at most openpgpPieceBytes, views of the chunks, nothing lost or moved', async () => {
  const chunks = [
    randomBytes(3 * openpgpPieceBytes + 5),
    Buffer.alloc(0),
    randomBytes(17),
    randomBytes(openpgpPieceBytes),
  ]
  async function* input() {
    yield* chunks
  }
  const pieces: Uint8Array[] = []
  for await (const piece of webStream(input())) pieces.push(piece)
  expect(pieces.map((p) => p.length)).toEqual([
    openpgpPieceBytes,
    openpgpPieceBytes,
    openpgpPieceBytes,
    5,
    0,
    17,
    openpgpPieceBytes,
  ])
  expect(Buffer.concat(pieces).equals(Buffer.concat(chunks))).toBe(true)
  expect(pieces[1]!.buffer).toBe(chunks[0]!.buffer)
})
