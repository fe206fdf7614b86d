import { Readable } from 'node:stream'
import { withoutBcc } from './message-headers.ts'
import type { OutboxMessage } from './outbox-files.ts'
import { releaseBytes } from '../streaming/release.ts'

/** A message as SMTP takes it: its exact size (for SIZE) and its bytes as a stream, one sealed record at a time. */
export interface OutgoingMessage {
  size: number
  stream(): Readable
  /**
   * The chunks of stream() that are buffers of their own, referred to nowhere else: freed (releaseBytes) once the
   * socket has written them (smtp-submit.ts), instead of at V8's next collection.
   */
  owned?: WeakSet<Uint8Array>
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
  // The header block is a new buffer (joined, or without Bcc); the records are a sealed file's, when it says so.
  const owned = new WeakSet<Uint8Array>([first])
  if (message.recordsAreOwned) head.forEach((record) => releaseBytes(record))
  async function* bytes() {
    yield first
    if (isDone) return
    for await (const record of records) {
      if (message.recordsAreOwned) owned.add(record)
      yield record
    }
  }
  let isTaken = false
  return {
    owned,
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
