import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { limits } from '../limits.ts'
import { openBlob } from '../store/sealed-blob.ts'
import { createSealedFileWriter, openSealedFile, readSealedFile, type SealedFileWriter } from '../store/sealed-file.ts'

/**
 * The Outbox's message files: one sealed file of records (store/sealed-file.ts) per entry, `<id>.sealed` in
 * `outbox-files/` beside the database, and one per group for its Sent item, `<group>.sent.sealed`. A file is
 * written to `<name>.<owner>.tmp` while the composer produces the message and renamed inside the transaction
 * that inserts its entry (makes its group ready), so a kill leaves a temp file or an entry with its complete
 * file (or, between rename and commit, a file without entry): `sweep` removes the first and the last when
 * their writer is gone. `name` is the entry id, or `sentItemName(group)`.
 */
export const outboxFilesDir = 'outbox-files'

/** The message of an entry, read record by record (an entry of an older schema: its one value). */
export interface OutboxMessage {
  length: number
  records(): AsyncGenerator<Buffer>
  /**
   * Whether the message has a NUL byte (the IMAP APPEND then needs literal8), when this process wrote its file and
   * saw every byte; undefined when not known (the file of an earlier run: the APPEND reads it once more to find out).
   */
  containsNul?: boolean
  /** Each record a new buffer that nothing else refers to (a sealed file's): the reader may free it when done. */
  recordsAreOwned?: boolean
}

/** Where an entry's message is: `message_file = 1` its file, else (entries of older schema steps) this sealed value. */
export interface StoredMessage {
  message: Uint8Array
  message_file: number
}

export const sentItemName = (groupId: string) => `${groupId}.sent`

/** Buffer's indexOf (memchr): some 30 times faster than Uint8Array's on a 1 MiB chunk. */
const hasNulByte = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(0) >= 0

export class OutboxFiles {
  readonly dir: string
  private readonly key: Buffer
  /**
   * Files this process wrote, by name: whether their bytes had a NUL. The records are sealed, so what is read back
   * is what was written; a name that is removed or written again is forgotten first.
   */
  private readonly nulOf = new Map<string, boolean>()
  constructor(profileDir: string, key: Buffer) {
    this.dir = join(profileDir, outboxFilesDir)
    this.key = key
  }

  path = (id: string) => join(this.dir, `${id}.sealed`)

  /** Writes the chunks as they come to the entry's temp file and ends it; publish() makes it the entry's file. */
  async write(
    id: string,
    context: string,
    owner: string,
    chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  ): Promise<SealedFileWriter> {
    const writer = this.writer(id, context, owner)
    let hasNul = false
    try {
      for await (const chunk of chunks) {
        hasNul ||= hasNulByte(chunk)
        writer.write(chunk)
      }
      writer.end()
    } catch (error) {
      writer.abort()
      throw error
    }
    this.nulOf.set(id, hasNul)
    return writer
  }

  /** The same for a message held whole. */
  writeWhole(id: string, context: string, owner: string, message: Uint8Array): SealedFileWriter {
    const writer = this.writer(id, context, owner)
    try {
      writer.write(message)
      writer.end()
    } catch (error) {
      writer.abort()
      throw error
    }
    this.nulOf.set(id, hasNulByte(message))
    return writer
  }

  private writer(id: string, context: string, owner: string): SealedFileWriter {
    this.nulOf.delete(id)
    mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    const temp = join(this.dir, `${id}.${owner}.tmp`)
    return createSealedFileWriter(this.path(id), this.key, context, limits.outboxChunkBytes, temp)
  }

  /** The whole message; null when it is missing or damaged. */
  whole(id: string, context: string, stored: StoredMessage): Buffer | null {
    return stored.message_file === 1
      ? readSealedFile(this.path(id), this.key, context)
      : openBlob(this.key, stored.message, context)
  }

  /** The message record by record (checked before the first byte); null when it is missing or damaged. */
  reader(id: string, context: string, stored: StoredMessage): OutboxMessage | null {
    if (stored.message_file === 1) {
      const file = openSealedFile(this.path(id), this.key, context)
      const containsNul = this.nulOf.get(id)
      return file && containsNul !== undefined ? { ...file, containsNul } : file
    }
    const bytes = openBlob(this.key, stored.message, context)
    if (bytes === null) return null
    return {
      length: bytes.length,
      async *records() {
        yield bytes
      },
      containsNul: bytes.indexOf(0) >= 0,
    }
  }

  remove(id: string): void {
    this.nulOf.delete(id)
    rmSync(this.path(id), { force: true })
  }

  /**
   * Removes what a killed writer left: temp files of processes that are gone, and files that belong to no
   * entry or ready group (`isKept(name)`). Call inside a write transaction, so none is being published meanwhile.
   */
  sweep(isKept: (name: string) => boolean, isMine: (owner: string) => boolean): string[] {
    let names: string[]
    try {
      names = readdirSync(this.dir)
    } catch {
      return []
    }
    const removed: string[] = []
    for (const name of names) {
      const temp = /^(.+)\.([^.]+)\.tmp$/.exec(name)
      const file = /^(.+)\.sealed$/.exec(name)
      if ((temp && !isMine(temp[2]!)) || (file && !isKept(file[1]!))) {
        if (file) this.nulOf.delete(file[1]!)
        rmSync(join(this.dir, name), { force: true })
        removed.push(name)
      }
    }
    return removed
  }
}
