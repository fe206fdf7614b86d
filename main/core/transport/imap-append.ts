import { once } from 'node:events'
import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import { specialUse } from 'imapflow/lib/special-use.js'
import { SiegelpostError } from '../errors/index.ts'
import { limits } from '../limits.ts'
import { releaseBytes } from '../streaming/release.ts'
import type { Account } from './account.ts'
import { classifyImapError } from './imap-errors.ts'
import {
  ImapReader,
  astring,
  capabilitiesOf,
  decodeMailboxName,
  parseList,
  taggedStatus,
  type ImapResponse,
  type ListEntry,
} from './imap-wire.ts'
import { tlsOptionsFor, verifyTlsSocket, type TlsInfo } from './tls-policy.ts'

/**
 * The Sent copy's IMAP APPEND (RFC 9051 §6.3.12), streamed: the literal's size goes first, then the
 * message record by record as the Outbox's sealed file gives it, so a 100 MB mail is never held whole
 * (imapflow's append takes one Buffer and builds the command in memory). The connection follows the
 * same Zwangs-TLS rules as the imapflow sessions (imap-session.ts): implicit TLS, or STARTTLS that must
 * succeed with nothing sent in plaintext after its OK; the socket is checked (verifyTlsSocket) and the
 * capabilities read again inside TLS before the password goes out. A connection that breaks before the
 * literal is complete leaves nothing on the server (an incomplete APPEND is discarded), and a record
 * that does not check ends the connection before the literal is complete.
 */
export interface AppendSource {
  /** The exact number of bytes records() yields (announced as the literal's size). */
  length: number
  records(): AsyncIterable<Uint8Array>
  /** Whether the bytes have a NUL, when the caller knows (else the records are read once more to find out). */
  containsNul?: boolean
  /** Each record a new buffer that nothing else refers to: freed (releaseBytes) as soon as the socket has taken it. */
  recordsAreOwned?: boolean
}

export interface StreamedAppend {
  /** The Sent folder as text (the listed name decoded). */
  folder: string
  /** UIDPLUS's APPENDUID, when the server says it (or the UID found by `unlessPresent`). */
  uid: number | null
  /** `unlessPresent` found the message there already: nothing was appended. */
  existed: boolean
}

/** A response reader's bounds: lines, and literals inside responses (mailbox names) — never our message. */
const readerLimits = { lineBytes: 64 * 1024, literalBytes: 64 * 1024 }
/** More untagged responses to one command than this (a LIST of a huge tree, or a flood) ends the session. */
const maxUntagged = 100_000
/** The same for their bytes together: what one command may make us keep. */
const maxUntaggedBytes = 16 * 1024 * 1024

/** A command's pieces: text, a literal, or the message streamed as a literal (literal8 for content with NUL). */
type Piece = string | { literal: Buffer } | { stream: AppendSource; isLiteral8?: boolean }

class Session {
  private reader = new ImapReader(readerLimits)
  private tags = 0
  capabilities = new Set<string>()
  socket: Socket | TLSSocket
  private readonly account: Account
  constructor(socket: Socket | TLSSocket, account: Account) {
    this.socket = socket
    this.account = account
  }

  /** Reads this socket's bytes into a fresh reader (a new one after STARTTLS: nothing from before counts). */
  attach(socket: Socket | TLSSocket): void {
    this.socket = socket
    const reader = new ImapReader(readerLimits)
    this.reader = reader
    socket.on('data', (data: Buffer) => reader.push(data))
    socket.on('error', (error: Error) => reader.fail(error))
    socket.on('close', () => reader.fail(Object.assign(new Error('connection closed'), { code: 'ECONNECTION' })))
  }

  get where() {
    return { host: this.account.imap.host, port: this.account.imap.port }
  }

  get pendingBytes(): number {
    return this.reader.pendingBytes
  }

  next(): Promise<ImapResponse> {
    return this.reader.next()
  }

  /** Writes; `onWritten` runs once the socket is done with the bytes (or failed). */
  private write(data: string | Uint8Array, onWritten?: () => void): Promise<void> | null {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data
    const isFlowing = onWritten ? this.socket.write(bytes, onWritten) : this.socket.write(bytes)
    return isFlowing ? null : this.drained()
  }

  private drained(): Promise<void> {
    const socket = this.socket
    return new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        socket.off('drain', onDrain)
        socket.off('close', onClose)
        socket.off('error', done)
        if (error) reject(error)
        else resolve()
      }
      const onDrain = () => done()
      const onClose = () => done(Object.assign(new Error('connection closed'), { code: 'ECONNECTION' }))
      socket.on('drain', onDrain)
      socket.once('close', onClose)
      socket.once('error', done)
    })
  }

  /** Waits for the server's "+" before a synchronizing literal; a tagged answer instead ends the command. */
  private async continuation(tag: string, untagged: ImapResponse[]): Promise<{ status: string; text: string } | null> {
    for (;;) {
      const response = await this.next()
      if (response.text[0]!.startsWith('+')) return null
      const status = taggedStatus(response, tag)
      if (status) return status
      this.keep(untagged, response)
    }
  }

  private kept = 0

  private keep(untagged: ImapResponse[], response: ImapResponse): void {
    if (untagged.length === 0) this.kept = 0
    for (const piece of [...response.text, ...response.literals]) this.kept += piece.length
    if (untagged.length >= maxUntagged || this.kept > maxUntaggedBytes)
      throw new SiegelpostError('IMAP_FAILED', { ...this.where, detail: 'flood' })
    untagged.push(response)
  }

  /** One command, literals included; resolves with its tagged status and the untagged responses before it. */
  async command(pieces: Piece[]): Promise<{ status: string; text: string; untagged: ImapResponse[] }> {
    const tag = `S${++this.tags}`
    const untagged: ImapResponse[] = []
    let line = `${tag} `
    for (const piece of pieces) {
      if (typeof piece === 'string') {
        line += piece
        continue
      }
      const size = 'literal' in piece ? piece.literal.length : piece.stream.length
      // RFC 7888: LITERAL+ takes any non-synchronizing literal, LITERAL- those up to 4096 bytes.
      const isPlus = this.capabilities.has('LITERAL+') || (this.capabilities.has('LITERAL-') && size <= 4096)
      const eight = 'stream' in piece && piece.isLiteral8 ? '~' : ''
      await this.write(`${line}${eight}{${size}${isPlus ? '+' : ''}}\r\n`)
      line = ''
      if (!isPlus) {
        const refused = await this.continuation(tag, untagged)
        if (refused) return { ...refused, untagged }
      }
      if ('literal' in piece) await this.write(piece.literal)
      else await this.stream(piece.stream)
    }
    await this.write(`${line}\r\n`)
    for (;;) {
      const response = await this.next()
      const status = taggedStatus(response, tag)
      if (status) return { ...status, untagged }
      this.keep(untagged, response)
    }
  }

  /** The message's records into the literal; a length that does not match what was announced ends the connection. */
  private async stream(source: AppendSource): Promise<void> {
    let written = 0
    for await (const record of source.records()) {
      written += record.length
      if (written > source.length) throw new Error('message longer than its announced size')
      // A record of its own is freed once the socket has it encrypted and sent, not at V8's next collection.
      await this.write(record, source.recordsAreOwned ? () => releaseBytes(record) : undefined)
    }
    if (written !== source.length) throw new Error('message shorter than its announced size')
  }

  async readCapabilities(from: ImapResponse | null): Promise<void> {
    const listed = from && capabilitiesOf(from)
    if (listed) {
      this.capabilities = new Set(listed)
      return
    }
    const { status, untagged } = await this.command(['CAPABILITY'])
    const found = untagged.map(capabilitiesOf).find((c) => c !== null)
    if (status !== 'OK' || !found) throw new SiegelpostError('IMAP_FAILED', { ...this.where, detail: 'CAPABILITY' })
    this.capabilities = new Set(found)
  }
}

const greetingOf = (response: ImapResponse) => /^\* (OK|PREAUTH|BYE)\b/i.exec(response.text[0]!)?.[1]?.toUpperCase()

async function secured(socket: TLSSocket): Promise<TLSSocket> {
  await once(socket, 'secureConnect')
  return socket
}

/** Connect, TLS (implicit or required STARTTLS), verify the socket, read the capabilities inside TLS. */
async function openSession(
  account: Account,
  current: { socket: Socket | null; isSecured: boolean },
): Promise<{ session: Session; tls: TlsInfo; isAuthenticated: boolean }> {
  const endpoint = account.imap
  const where = { host: endpoint.host, port: endpoint.port }
  // `host` too: with an IP address (no servername) the certificate is checked against it.
  const tlsOptions = { ...tlsOptionsFor(endpoint, account), host: endpoint.host, port: endpoint.port }
  let socket: TLSSocket
  let session: Session
  if (endpoint.security === 'tls') {
    socket = tlsConnect(tlsOptions)
    current.socket = socket
    session = new Session(socket, account)
    socket.on('error', () => undefined)
    await secured(socket)
  } else {
    const plain: Socket = netConnect({ host: endpoint.host, port: endpoint.port })
    current.socket = plain
    plain.on('error', () => undefined)
    session = new Session(plain, account)
    session.attach(plain)
    const first = await session.next()
    const greeting = greetingOf(first)
    // PREAUTH in plaintext: the server would have us work unencrypted, with no way to STARTTLS — never.
    if (greeting === 'PREAUTH') throw new SiegelpostError('TLS_STARTTLS_MISSING', where)
    if (greeting !== 'OK') throw new SiegelpostError('IMAP_FAILED', { ...where, detail: 'greeting' })
    // As imapflow with doSTARTTLS: a server that does not offer STARTTLS is refused before anything else is sent.
    // A CAPABILITY the server refuses offers nothing either.
    const offers = await session.readCapabilities(first).then(
      () => session.capabilities.has('STARTTLS'),
      (error: unknown) => (error instanceof SiegelpostError ? false : Promise.reject(error)),
    )
    if (!offers) throw new SiegelpostError('TLS_STARTTLS_MISSING', where)
    const { status } = await session.command(['STARTTLS'])
    if (status !== 'OK') throw new SiegelpostError('TLS_STARTTLS_MISSING', where)
    // Bytes after STARTTLS's OK and before the handshake were injected in plaintext (RFC 2595 §3.1, CVE-2011-0411).
    if (session.pendingBytes > 0) throw new SiegelpostError('TLS_STARTTLS_INJECTION', where)
    plain.removeAllListeners('data')
    plain.removeAllListeners('close')
    socket = tlsConnect({ ...tlsOptions, socket: plain })
    current.socket = socket
    socket.on('error', () => undefined)
    session.socket = socket
    await secured(socket)
  }
  const tls = verifyTlsSocket(socket, endpoint, account)
  current.isSecured = true
  session.attach(socket)
  let first: ImapResponse | null = null
  let isAuthenticated = false
  if (endpoint.security === 'tls') {
    first = await session.next()
    const greeting = greetingOf(first)
    if (greeting !== 'OK' && greeting !== 'PREAUTH')
      throw new SiegelpostError('IMAP_FAILED', { ...where, detail: 'greeting' })
    isAuthenticated = greeting === 'PREAUTH'
  }
  await session.readCapabilities(first)
  return { session, tls, isAuthenticated }
}

async function login(session: Session, account: Account, password: string): Promise<void> {
  const user = Buffer.from(account.user, 'utf8')
  const pass = Buffer.from(password, 'utf8')
  const caps = session.capabilities
  let status: string
  if (caps.has('AUTH=PLAIN') && caps.has('SASL-IR')) {
    // RFC 4616 PLAIN with the initial response in the command (RFC 4959).
    const initial = Buffer.concat([Buffer.from([0]), user, Buffer.from([0]), pass]).toString('base64')
    ;({ status } = await session.command([`AUTHENTICATE PLAIN ${initial}`]))
  } else {
    if (caps.has('LOGINDISABLED')) throw new SiegelpostError('IMAP_AUTH_FAILED', { host: account.imap.host })
    ;({ status } = await session.command(['LOGIN ', argument(user), ' ', argument(pass)]))
  }
  if (status !== 'OK') throw new SiegelpostError('IMAP_AUTH_FAILED', { host: account.imap.host })
}

/**
 * The Sent folder among the listed ones, chosen as imapflow's list() does for the other sessions: the server's
 * \Sent attribute (RFC 6154) first, then a known name ("Sent", "Gesendet", "Gesendete Objekte", …).
 */
export function sentFolderAmong(entries: readonly ListEntry[], hasSpecialUse: boolean): ListEntry | null {
  const ranked: Record<string, ListEntry | undefined> = {}
  for (const entry of entries) {
    const flags = new Set(entry.attributes)
    const lower = new Set(entry.attributes.map((a) => a.toLowerCase()))
    if (lower.has('\\noselect') || lower.has('\\nonexistent')) continue
    const path = decodeMailboxName(entry.listed)
    const name = entry.delimiter ? path.split(entry.delimiter).pop()! : path
    const { flag, source } = specialUse(hasSpecialUse, { flags, name })
    if (flag === '\\Sent' && source) ranked[source] ??= entry
    else if (/^(sent|gesendet)$/i.test(name)) ranked.fallback ??= entry
  }
  return ranked.extension ?? ranked.name ?? ranked['name-guess'] ?? ranked.fallback ?? null
}

/** Appends the message to the account's Sent folder, \Seen, streamed; one connection, logged out after. */
export async function appendStreamed(
  account: Account,
  password: string,
  message: AppendSource,
  options: { unlessPresent?: string } = {},
): Promise<StreamedAppend> {
  const where = { host: account.imap.host, port: account.imap.port }
  const current: { socket: Socket | null; isSecured: boolean } = { socket: null, isSecured: false }
  // Connect, TLS, greeting and login get the connect budget together (as openImap); silence after that the socket's.
  let isLate = false
  const deadline = setTimeout(() => {
    isLate = true
    current.socket?.destroy(Object.assign(new Error('no usable answer in time'), { code: 'ETIMEDOUT' }))
  }, limits.mailConnectTimeoutMs)
  try {
    const opened = await openSession(account, current)
    const session = opened.session
    if (!opened.isAuthenticated) {
      await login(session, account, password)
      await session.readCapabilities(null) // the capabilities may grow after login (RFC 9051 §6.2.2)
    }
    clearTimeout(deadline)
    const live = session.socket
    live.setTimeout(limits.mailSocketTimeoutMs, () =>
      live.destroy(Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' })),
    )
    const caps = session.capabilities
    const extended = caps.has('SPECIAL-USE') && caps.has('LIST-EXTENDED') ? ' RETURN (SPECIAL-USE)' : ''
    const listed = await session.command([`LIST "" "*"${extended}`])
    if (listed.status !== 'OK') throw new SiegelpostError('IMAP_FAILED', { ...where, detail: 'LIST' })
    const entries = listed.untagged.map(parseList).filter((e): e is ListEntry => e !== null)
    const sent = sentFolderAmong(entries, caps.has('SPECIAL-USE') || caps.has('XLIST'))
    if (sent === null) throw new SiegelpostError('IMAP_FAILED', { ...where, detail: 'no Sent folder' })
    const limit = [...caps].find((c) => c.startsWith('APPENDLIMIT='))
    if (limit && Number(limit.slice('APPENDLIMIT='.length)) < message.length)
      throw new SiegelpostError('IMAP_FAILED', { ...where, detail: 'APPENDLIMIT' })
    const mailbox = argument(Buffer.from(sent.listed, 'latin1'))
    const folder = decodeMailboxName(sent.listed)
    if (options.unlessPresent) {
      const uid = await findMessageId(session, mailbox, options.unlessPresent)
      if (uid !== null) {
        await logout(session)
        return { folder, uid, existed: true }
      }
    }
    // A literal cannot carry NUL (RFC 9051 §4.3); with BINARY (RFC 3516) such a message goes as literal8, as
    // imapflow sends it. Where the source does not say, finding out costs one more pass over the sealed records,
    // only where BINARY is offered.
    const isLiteral8 = caps.has('BINARY') && (message.containsNul ?? (await containsNul(message)))
    const result = await session.command(['APPEND ', mailbox, ' (\\Seen) ', { stream: message, isLiteral8 }])
    if (result.status !== 'OK') throw new SiegelpostError('IMAP_FAILED', { ...where, detail: 'APPEND refused' })
    const uid = /\[APPENDUID \d+ (\d+)\]/i.exec(result.text)?.[1]
    await logout(session)
    return { folder, uid: uid ? Number(uid) : null, existed: false }
  } catch (error) {
    if (error instanceof SiegelpostError) throw error
    // A server that stalls before TLS is up (a STARTTLS answered with a continuation, no handshake) is not TLS.
    if (isLate) {
      const detail = 'no usable answer in time'
      throw current.isSecured
        ? new SiegelpostError('IMAP_FAILED', { ...where, detail })
        : new SiegelpostError('TLS_NOT_ESTABLISHED', { ...where, detail })
    }
    throw classifyImapError(error, account)
  } finally {
    clearTimeout(deadline)
    current.socket?.destroy()
  }
}

/** The pass that finds a NUL; records of their own are freed as it goes (else V8 held ~100 MiB of them at once). */
async function containsNul(message: AppendSource): Promise<boolean> {
  for await (const record of message.records()) {
    const hasNul = record.indexOf(0) >= 0
    if (message.recordsAreOwned) releaseBytes(record)
    if (hasNul) return true
  }
  return false
}

/** A string argument as a command piece: quoted, or a literal. */
function argument(value: Buffer): Piece {
  const encoded = astring(value)
  return 'quoted' in encoded ? encoded.quoted : encoded
}

/**
 * The UID of a message in the Sent folder with this Message-ID (RFC 9051 §6.4.4 SEARCH HEADER), or null.
 * Asked before a retried APPEND: the failed try may have been stored with its answer lost.
 */
async function findMessageId(session: Session, mailbox: Piece, messageId: string): Promise<number | null> {
  const where = session.where
  const examined = await session.command(['EXAMINE ', mailbox])
  if (examined.status !== 'OK') throw new SiegelpostError('IMAP_FAILED', { ...where, detail: 'EXAMINE' })
  const bare = Buffer.from(messageId.replace(/^<|>$/g, ''), 'utf8')
  const found = await session.command(['UID SEARCH HEADER Message-ID ', argument(bare)])
  if (found.status !== 'OK') throw new SiegelpostError('IMAP_FAILED', { ...where, detail: 'SEARCH' })
  for (const response of found.untagged) {
    const hit = /^\* SEARCH((?: \d+)+)/i.exec(response.text[0]!)
    if (hit) return Number(hit[1]!.trim().split(' ')[0])
  }
  return null
}

/** LOGOUT, waiting a moment for the server's BYE/OK; the connection ends either way. */
async function logout(session: Session): Promise<void> {
  const timer = new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref())
  await Promise.race([session.command(['LOGOUT']).catch(() => undefined), timer])
  session.socket.end()
}
