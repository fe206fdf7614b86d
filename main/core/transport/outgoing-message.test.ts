import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { withoutBcc } from './message-headers.ts'
import { outgoingMessage } from './outgoing-message.ts'

const streamed = async (raw: Buffer, recordBytes: number) => {
  const message = {
    length: raw.length,
    async *records() {
      for (let at = 0; at < raw.length; at += recordBytes) yield raw.subarray(at, at + recordBytes)
    },
  }
  const outgoing = await outgoingMessage(message)
  const parts: Buffer[] = []
  for await (const part of outgoing.stream()) parts.push(part as Buffer)
  return { size: outgoing.size, bytes: Buffer.concat(parts) }
}

describe('outgoing message (streamed from the Outbox)', () => {
  it('is withoutBcc of the message held whole, with its exact size, whatever the record size', async () => {
    const head =
      'From: a@kanzlei.test\r\nTo: c@mandant.test\r\nBcc: Akte <akte@kanzlei.test>,\r\n x@y.test\r\nSubject: S\r\n\r\n'
    const bodies = [Buffer.alloc(0), Buffer.from('Bcc: im Text bleibt\r\n'), randomBytes(600 * 1024)]
    for (const body of bodies) {
      const raw = Buffer.concat([Buffer.from(head), body])
      const want = withoutBcc(raw)
      expect(want.length).toBeLessThan(raw.length)
      for (const recordBytes of [7, 1024, 300 * 1024, 1024 * 1024]) {
        const got = await streamed(raw, recordBytes)
        expect(got.size, `${body.length}/${recordBytes}`).toBe(want.length)
        expect(got.bytes.equals(want), `${body.length}/${recordBytes}`).toBe(true)
      }
    }
  })

  it('streams once', async () => {
    const outgoing = await outgoingMessage({
      length: 3,
      async *records() {
        yield Buffer.from('a\r\n')
      },
    })
    outgoing.stream()
    expect(() => outgoing.stream()).toThrow()
  })
})
