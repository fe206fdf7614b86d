import { Readable } from 'node:stream'
import { withoutBcc } from './message-headers.ts'
import type { OutboxMessage } from './outbox-files.ts'

/** A message as SMTP takes it: its exact size (for SIZE) and its bytes as a stream, one sealed record at a time. */
export interface OutgoingMessage {
  size: number
  stream(): Readable
}

/** The header block is looked for in this many first bytes, as withoutBcc does for a message held whole. */
const headerScanBytes = 256 * 1024

/**
 * The bytes the recipients' servers get (withoutBcc: the top-level Bcc fields removed, all else byte for byte),
 * streamed from the Outbox: only the first records (the header block) are held, the rest passes through.
 */
export async function outgoingMessage(message: OutboxMessage): Promise<OutgoingMessage> {
  const records = message.records()
  const head: Buffer[] = []
  let headLength = 0
  let isDone = false
  while (headLength < headerScanBytes) {
    const next = await records.next()
    if (next.done) {
      isDone = true
      break
    }
    head.push(next.value)
    headLength += next.value.length
  }
  const raw = Buffer.concat(head)
  const first = withoutBcc(raw)
  async function* bytes() {
    yield first
    if (!isDone) yield* records
  }
  let isTaken = false
  return {
    size: message.length - raw.length + first.length,
    stream() {
      if (isTaken) throw new Error('an outgoing message streams once')
      isTaken = true
      return Readable.from(bytes(), { objectMode: false })
    },
  }
}

/** A message held whole (a check, a test) as an outgoing message. */
export function outgoingBytes(raw: Buffer): OutgoingMessage {
  return { size: raw.length, stream: () => Readable.from([raw], { objectMode: false }) }
}
