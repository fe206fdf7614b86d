/**
 * The few pieces of the IMAP wire format (RFC 9051 §4, RFC 3501 §4) the streaming APPEND needs: a reader
 * that turns the server's bytes into responses (literals included, bounded), the LIST response, and
 * mailbox names. Lines are kept as latin1 strings, so every byte survives and a name goes back to the
 * server exactly as it was listed.
 */
export interface ImapResponse {
  /** The response's text pieces; a literal's bytes stand between two pieces (`literals[i]` after `text[i]`). */
  text: string[]
  literals: Buffer[]
}

export interface ImapReaderLimits {
  /** Longest line (a hostile server could otherwise grow our buffer without end). */
  lineBytes: number
  /** Largest literal inside a response (a mailbox name, a capability list: all small). */
  literalBytes: number
}

const crlf = Buffer.from('\r\n')
const literalMarker = /~?\{(\d{1,10})\}$/

/** Responses from a socket's bytes: push() what arrives, next() takes the next complete response. */
export class ImapReader {
  private buffer: Buffer = Buffer.alloc(0)
  private failure: Error | null = null
  private wake: (() => void) | null = null
  private readonly limits: ImapReaderLimits

  constructor(limits: ImapReaderLimits) {
    this.limits = limits
  }

  push(data: Buffer): void {
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data])
    this.notify()
  }

  /** The connection ended or failed: a waiting next() rejects with this. */
  fail(error: Error): void {
    this.failure ??= error
    this.notify()
  }

  /** Bytes received but not yet taken as a response (STARTTLS: there must be none). */
  get pendingBytes(): number {
    return this.buffer.length
  }

  private notify(): void {
    const wake = this.wake
    this.wake = null
    wake?.()
  }

  private async more(): Promise<void> {
    if (this.failure) throw this.failure
    await new Promise<void>((resolve) => (this.wake = resolve))
    if (this.failure && this.buffer.length === 0) throw this.failure
  }

  async next(): Promise<ImapResponse> {
    const response: ImapResponse = { text: [], literals: [] }
    for (;;) {
      let end = this.buffer.indexOf(crlf)
      while (end < 0) {
        if (this.buffer.length > this.limits.lineBytes) throw new Error('IMAP line too long')
        await this.more()
        end = this.buffer.indexOf(crlf)
      }
      if (end > this.limits.lineBytes) throw new Error('IMAP line too long')
      const line = this.buffer.toString('latin1', 0, end)
      const marker = literalMarker.exec(line)
      if (!marker) {
        this.buffer = this.buffer.subarray(end + 2)
        response.text.push(line)
        return response
      }
      const size = Number(marker[1])
      if (size > this.limits.literalBytes) throw new Error('IMAP literal too large')
      while (this.buffer.length < end + 2 + size) await this.more()
      response.text.push(line)
      response.literals.push(Buffer.from(this.buffer.subarray(end + 2, end + 2 + size)))
      this.buffer = this.buffer.subarray(end + 2 + size)
    }
  }
}

/** The tagged status of a response for `tag`, or null when it is another response. */
export function taggedStatus(response: ImapResponse, tag: string): { status: string; text: string } | null {
  const first = response.text[0]!
  if (!first.startsWith(`${tag} `)) return null
  const match = /^(\S+)\s*(.*)$/.exec(first.slice(tag.length + 1))!
  return { status: match[1]!.toUpperCase(), text: match[2]! }
}

/** The capabilities an untagged CAPABILITY response or a `[CAPABILITY …]` response code names (upper case). */
export function capabilitiesOf(response: ImapResponse): string[] | null {
  const first = response.text[0]!
  const untagged = /^\* CAPABILITY (.*)$/i.exec(first)
  const code = /^\S+ (?:OK|PREAUTH) \[CAPABILITY ([^\]]*)\]/i.exec(first)
  const list = untagged?.[1] ?? code?.[1]
  return list === undefined ? null : list.trim().toUpperCase().split(/\s+/)
}

/** One `* LIST` entry: its attributes, delimiter and name exactly as listed (bytes as latin1). */
export interface ListEntry {
  attributes: string[]
  delimiter: string | null
  /** The name as the server sent it (modified UTF-7, or UTF-8 bytes after UTF8=ACCEPT). */
  listed: string
}

/** A token reader over one line of text: atoms, quoted strings, NIL and parenthesised lists. */
class Tokens {
  private readonly text: string
  at: number
  constructor(text: string, at = 0) {
    this.text = text
    this.at = at
  }
  private skip(): void {
    while (this.text[this.at] === ' ') this.at++
  }
  get isDone(): boolean {
    this.skip()
    return this.at >= this.text.length
  }
  list(): string[] | null {
    this.skip()
    if (this.text[this.at] !== '(') return null
    const close = this.text.indexOf(')', this.at)
    if (close < 0) return null
    const inner = this.text.slice(this.at + 1, close).trim()
    this.at = close + 1
    return inner === '' ? [] : inner.split(/\s+/)
  }
  /** An atom or quoted string (null for NIL); undefined when the line ends here. */
  string(): string | null | undefined {
    this.skip()
    if (this.at >= this.text.length) return undefined
    if (this.text[this.at] === '"') {
      let value = ''
      for (let i = this.at + 1; i < this.text.length; i++) {
        const c = this.text[i]!
        if (c === '\\') value += this.text[++i] ?? ''
        else if (c === '"') {
          this.at = i + 1
          return value
        } else value += c
      }
      return undefined
    }
    const match = /^[^\s()]+/.exec(this.text.slice(this.at))
    if (!match) return undefined
    this.at += match[0].length
    return match[0].toUpperCase() === 'NIL' ? null : match[0]
  }
}

/** A `* LIST (attributes) delimiter name` response, or null when it is something else or malformed. */
export function parseList(response: ImapResponse): ListEntry | null {
  const first = response.text[0]!
  const head = /^\* (?:LIST|XLIST) /i.exec(first)
  if (!head) return null
  const tokens = new Tokens(first, head[0].length)
  const attributes = tokens.list()
  if (attributes === null) return null
  const delimiter = tokens.string()
  if (delimiter === undefined) return null
  // A name sent as a literal: the first piece ends with its {n} marker and the literal carries the bytes.
  if (response.literals.length > 0 && literalMarker.test(first)) {
    return { attributes, delimiter, listed: response.literals[0]!.toString('latin1') }
  }
  const listed = tokens.string()
  if (listed === undefined || listed === null) return null
  return { attributes, delimiter, listed }
}

/** A listed name as text: UTF-8 bytes as UTF-8, else modified UTF-7 (RFC 3501 §5.1.3) decoded. */
export function decodeMailboxName(listed: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(listed)) return Buffer.from(listed, 'latin1').toString('utf8')
  return listed.replace(/&([^-]*)-/g, (_, encoded: string) => {
    if (encoded === '') return '&'
    const bytes = Buffer.from(encoded.replace(/,/g, '/'), 'base64')
    let text = ''
    for (let i = 0; i + 1 < bytes.length; i += 2) text += String.fromCharCode(bytes.readUInt16BE(i))
    return text
  })
}

/**
 * A string argument (RFC 9051 `astring`) for a command: a quoted string when every byte is printable
 * ASCII, else a literal (the caller sends its bytes). Names and credentials go out exactly as given.
 */
export function astring(value: Buffer): { quoted: string } | { literal: Buffer } {
  for (const byte of value) if (byte < 0x20 || byte > 0x7e) return { literal: value }
  return { quoted: `"${value.toString('latin1').replace(/(["\\])/g, '\\$1')}"` }
}
