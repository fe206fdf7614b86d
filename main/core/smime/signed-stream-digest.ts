import { createHash, type Hash } from 'node:crypto'
import { parseMime } from '../mime/parse.ts'
import { pkcs7Signature } from './smime-parts.ts'

/**
 * The digests of the signed part of a multipart/signed entity (RFC 1847, RFC 8551 §3.5), taken while the entity
 * streams by — in the decryption worker, beside the cipher — so the caller need not read the decrypted spool once
 * more to hash it. Positions are offsets in the streamed bytes. The caller uses the digests only when `start` and
 * `end` are exactly the signed part's range as the MIME parser finds it (smime-large.ts): then they are digests of
 * the very same bytes; anything unusual (a first delimiter that is not one, a lost close, an unknown digest) makes
 * the caller hash the spool as before.
 */
export interface SignedContentDigests {
  start: number
  end: number
  digests: Record<string, Uint8Array>
}

/** How far into the entity the header block and the first delimiter must lie. */
const headLimitBytes = 64 * 1024
const LF = 0x0a
const CR = 0x0d

/** Node hash names for a micalg parameter (RFC 8551 §3.5.3.2: "sha-256", several comma-separated); SHA-256 always. */
function hashNamesFor(micalg: string | undefined): string[] {
  const names = new Set(['sha256'])
  for (const match of (micalg ?? '').toLowerCase().matchAll(/sha-?(256|384|512)\b/g)) names.add(`sha${match[1]}`)
  return [...names]
}

export class SignedContentHasher {
  private phase: 'head' | 'content' | 'done' = 'head'
  private head: Buffer[] = []
  /** Bytes seen so far. */
  private seen = 0
  private hashes = new Map<string, Hash>()
  /** "\n--boundary": the line break before the next delimiter belongs to the delimiter (RFC 2046 §5.1.1). */
  private needle = Buffer.alloc(0)
  /** The bytes just before the next chunk, not hashed yet (they may begin the delimiter). */
  private pending = Buffer.alloc(0)
  private start = -1
  private result: SignedContentDigests | null = null

  push(chunk: Uint8Array): void {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    const at = this.seen
    this.seen += bytes.length
    if (this.phase === 'content') this.scan(bytes, at - this.pending.length)
    else if (this.phase === 'head') {
      this.head.push(Buffer.from(bytes))
      this.readHead()
    }
  }

  /** The digests, when the signed part's end was found; null otherwise. */
  finish(): SignedContentDigests | null {
    this.phase = 'done'
    return this.result
  }

  /** Looks for the header block and the first delimiter in what has arrived; gives up past headLimitBytes. */
  private readHead(): void {
    const buffered = Buffer.concat(this.head)
    this.head = [buffered]
    const give = (up: boolean) => {
      if (up || buffered.length >= headLimitBytes) {
        this.phase = 'done'
        this.head = []
      }
    }
    const blank = blankLine(buffered)
    if (!blank) return give(false)
    const root = parseMime(buffered.subarray(0, blank.headerEnd))
    const { type, params } = root.contentType
    const boundary = params.boundary
    if (type !== 'multipart/signed' || !boundary || !pkcs7Signature.has((params.protocol ?? '').toLowerCase()))
      return give(true)
    const marker = Buffer.from(`--${boundary}`, 'latin1')
    for (let from = blank.bodyStart; ;) {
      const at = buffered.indexOf(marker, from)
      if (at < 0) return give(false)
      from = at + marker.length
      if (at > blank.bodyStart && buffered[at - 1] !== LF) continue
      let cursor = at + marker.length
      while (buffered[cursor] === 0x20 || buffered[cursor] === 0x09) cursor++
      if (cursor >= buffered.length) return give(false)
      if (buffered[cursor] === 0x2d) return give(true) // a close delimiter first: no signed part
      if (buffered[cursor] === CR) cursor++
      if (cursor >= buffered.length) return give(false)
      if (buffered[cursor] !== LF) return give(true) // unusual: the parser decides, from the spool
      this.start = cursor + 1
      break
    }
    this.phase = 'content'
    this.head = []
    this.needle = Buffer.from(`\n--${boundary}`, 'latin1')
    for (const name of hashNamesFor(params.micalg)) this.hashes.set(name, createHash(name))
    this.scan(buffered.subarray(this.start), this.start)
  }

  /** Hashes `bytes` (which follow `pending`; `offset` is where `pending` starts) up to the next delimiter. */
  private scan(bytes: Buffer, offset: number): void {
    const pending = this.pending
    const keep = this.needle.length
    // A delimiter that begins in `pending` (at one of its LFs: it spans the chunk border), else one inside `bytes`.
    let hit = -1
    const lineEnd = pending.indexOf(LF)
    if (lineEnd >= 0) {
      const found = Buffer.concat([pending.subarray(lineEnd), bytes.subarray(0, keep - 1)]).indexOf(this.needle)
      if (found >= 0 && lineEnd + found < pending.length) hit = lineEnd + found
    }
    if (hit < 0) {
      const inside = bytes.indexOf(this.needle)
      hit = inside >= 0 ? pending.length + inside : -1
    }
    const byteAt = (i: number) => (i < pending.length ? pending[i] : bytes[i - pending.length])
    const upTo = (end: number) => {
      // bytes [0, end) of pending + bytes
      const fromPending = Math.min(end, pending.length)
      const fromBytes = end - fromPending
      this.hashes.forEach((hash) => {
        if (fromPending > 0) hash.update(pending.subarray(0, fromPending))
        if (fromBytes > 0) hash.update(bytes.subarray(0, fromBytes))
      })
    }
    if (hit >= 0) {
      // The part ends before the line break: CRLF or a bare LF.
      const end = hit > 0 && byteAt(hit - 1) === CR ? hit - 1 : hit
      upTo(end)
      this.result = {
        start: this.start,
        end: offset + end,
        digests: Object.fromEntries([...this.hashes].map(([name, hash]) => [name, new Uint8Array(hash.digest())])),
      }
      this.phase = 'done'
      this.pending = Buffer.alloc(0)
      return
    }
    const total = pending.length + bytes.length
    const hashable = Math.max(0, total - keep)
    upTo(hashable)
    this.pending =
      bytes.length >= keep
        ? Buffer.from(bytes.subarray(bytes.length - keep))
        : Buffer.from(Buffer.concat([pending, bytes]).subarray(hashable))
  }
}

/** Where the header block ends and the body starts (a blank line, CRLF or LF), as the MIME parser finds it. */
function blankLine(bytes: Buffer): { headerEnd: number; bodyStart: number } | null {
  if (bytes[0] === LF) return { headerEnd: 0, bodyStart: 1 }
  if (bytes[0] === CR && bytes[1] === LF) return { headerEnd: 0, bodyStart: 2 }
  for (let i = bytes.indexOf(LF); i >= 0 && i + 1 < bytes.length; i = bytes.indexOf(LF, i + 1)) {
    if (bytes[i + 1] === LF) return { headerEnd: i + 1, bodyStart: i + 2 }
    if (bytes[i + 1] === CR && bytes[i + 2] === LF) return { headerEnd: i + 1, bodyStart: i + 3 }
  }
  return null
}
