import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { TLSSocket, createSecureContext } from 'node:tls'
import { SMTPServer, type SMTPServerOptions } from 'smtp-server'
import type { Pair } from './test-pki.ts'

/**
 * Test doubles for the Zwangs-TLS tests: smtp-server where it can play the part, and small scripted
 * `net` servers where it cannot (odd STARTTLS replies, bytes injected after "220 Ready to start TLS",
 * IMAP without STARTTLS). Every server records what it received, so a test can assert that no AUTH,
 * no MAIL and no message bytes arrived.
 */
export interface SmtpRecord {
  auth: string[]
  mailFrom: string[]
  rcptTo: string[]
  messages: Buffer[]
  requireTls: boolean[]
  secureAtAuth: boolean[]
}

export interface Running<R> {
  port: number
  record: R
  close: () => Promise<void>
}

const closeServer = (server: Server, sockets: Set<Socket>) =>
  new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy()
    server.close(() => resolve())
  })

export async function startSmtpServer(
  options: SMTPServerOptions & {
    hooks?: { onAuth?: () => Promise<void>; onData?: (record: SmtpRecord) => Promise<void> }
    listenHost?: string
  },
): Promise<Running<SmtpRecord>> {
  const record: SmtpRecord = { auth: [], mailFrom: [], rcptTo: [], messages: [], requireTls: [], secureAtAuth: [] }
  const { hooks, listenHost, ...rest } = options
  const server = new SMTPServer({
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    ...rest,
    onAuth(auth, session, callback) {
      record.auth.push(auth.username ?? '')
      record.secureAtAuth.push(Boolean(session.secure))
      void (hooks?.onAuth ?? (async () => undefined))().then(() => callback(null, { user: auth.username }))
    },
    onMailFrom(address, session, callback) {
      record.mailFrom.push(address.address)
      record.requireTls.push(Boolean((session.envelope as { requireTLS?: boolean }).requireTLS))
      callback()
    },
    onRcptTo(address, session, callback) {
      record.rcptTo.push(address.address)
      if (rest.onRcptTo) rest.onRcptTo(address, session, callback)
      else callback()
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        void (async () => {
          if (hooks?.onData) await hooks.onData(record)
          record.messages.push(Buffer.concat(chunks))
          callback(null)
        })()
      })
    },
  })
  // A failed handshake is an 'error' event; without a listener it would kill the test process (library-facts §1.6).
  server.on('error', () => undefined)
  await new Promise<void>((resolve) => server.listen(0, listenHost ?? '127.0.0.1', () => resolve()))
  const port = (server.server.address() as AddressInfo).port
  return { port, record, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

export interface ScriptRecord {
  /** Every line the client sent, in order, tagged with whether it came over TLS. */
  lines: { tls: boolean; line: string }[]
}

export interface ScriptedSmtpOptions {
  /** Capabilities before STARTTLS (EHLO reply lines after the first). */
  capabilities: string[]
  /** The reply to STARTTLS, e.g. "454 TLS not available" or "220 Ready to start TLS\r\n250-INJECTED\r\n250 AUTH PLAIN". */
  starttlsReply: string
  /** Upgrade to TLS after the reply, with this certificate. */
  upgradeWith?: Pair
  /** Reply to EHLO (default: 250 lines). "500 ..." pretends not to be ESMTP (corpus D_1). */
  ehloReply?: string
}

/** One client connection of a line-based fake server; `upgrade` switches it to TLS on the same socket. */
interface LineConnection {
  isTls: boolean
  write: (text: string) => void
  end: (text: string) => void
  upgrade: (pair: Pair) => void
}

/** A CRLF line server that records every line with whether it arrived over TLS. */
async function startLineServer(
  greet: (connection: LineConnection) => void,
  onLine: (connection: LineConnection, line: string) => void,
): Promise<Running<ScriptRecord>> {
  const record: ScriptRecord = { lines: [] }
  const sockets = new Set<Socket>()
  const server = createServer((plain) => {
    sockets.add(plain)
    plain.on('error', () => undefined)
    let socket: Socket = plain
    let buffer = ''
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('latin1')
      let index: number
      while ((index = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, index)
        buffer = buffer.slice(index + 2)
        record.lines.push({ tls: connection.isTls, line })
        onLine(connection, line)
      }
    }
    const connection: LineConnection = {
      isTls: false,
      write: (text) => void socket.write(text),
      end: (text) => void socket.end(text),
      upgrade: (pair) => {
        plain.removeAllListeners('data')
        const secure = new TLSSocket(plain, {
          isServer: true,
          secureContext: createSecureContext({ key: pair.key, cert: pair.cert }),
        })
        secure.on('error', () => undefined)
        socket = secure
        connection.isTls = true
        buffer = ''
        secure.on('data', onData)
      },
    }
    plain.on('data', onData)
    greet(connection)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return { port: (server.address() as AddressInfo).port, record, close: () => closeServer(server, sockets) }
}

/** An SMTP server that follows a script, for the STARTTLS negotiation and buffering cases. */
export function startScriptedSmtp(options: ScriptedSmtpOptions): Promise<Running<ScriptRecord>> {
  const ehlo = (isTls: boolean) =>
    options.ehloReply ??
    `${['250-fake.example.org', ...(isTls ? ['AUTH PLAIN LOGIN'] : options.capabilities).map((c) => `250-${c}`), '250 8BITMIME'].join('\r\n')}\r\n`
  return startLineServer(
    (connection) => connection.write('220 fake.example.org ESMTP\r\n'),
    (connection, line) => {
      const verb = line.split(' ')[0]!.toUpperCase()
      if (verb === 'EHLO') connection.write(ehlo(connection.isTls))
      else if (verb === 'HELO') connection.write('250 fake.example.org\r\n')
      else if (verb === 'STARTTLS' && !connection.isTls) {
        connection.write(
          options.starttlsReply.endsWith('\r\n') ? options.starttlsReply : `${options.starttlsReply}\r\n`,
        )
        if (options.upgradeWith) connection.upgrade(options.upgradeWith)
      } else if (verb === 'QUIT') connection.end('221 bye\r\n')
      else if (verb === 'AUTH') connection.write('235 ok\r\n')
      else connection.write('250 ok\r\n')
    },
  )
}

export interface ScriptedImapOptions {
  greeting: string
  /** CAPABILITY reply (untagged line without "* "). */
  capability: string
  /** Tagged reply text to STARTTLS, e.g. "OK Begin TLS" or "BAD not supported"; `<tag>` is the client's tag. */
  starttlsReply?: string
  /** Extra bytes sent right after the STARTTLS reply, before the handshake (injection). */
  inject?: string
  upgradeWith?: Pair
  /** Serve implicit TLS from the first byte with this certificate. */
  implicitTls?: Pair
}

/** An IMAP server that follows a script: STARTTLS missing/refused/injected, PREAUTH, certificates. */
export function startScriptedImap(options: ScriptedImapOptions): Promise<Running<ScriptRecord>> {
  return startLineServer(
    (connection) => {
      if (options.implicitTls) connection.upgrade(options.implicitTls)
      connection.write(`${options.greeting}\r\n`)
    },
    (connection, line) => {
      const [tag, verb = ''] = line.split(' ')
      const command = verb.toUpperCase()
      if (command === 'CAPABILITY') connection.write(`* ${options.capability}\r\n${tag} OK done\r\n`)
      else if (command === 'STARTTLS' && !connection.isTls) {
        connection.write(`${tag} ${options.starttlsReply ?? 'BAD not supported'}\r\n${options.inject ?? ''}`)
        if (options.upgradeWith && (options.starttlsReply ?? '').startsWith('OK'))
          connection.upgrade(options.upgradeWith)
      } else if (command === 'LOGOUT') connection.end(`* BYE\r\n${tag} OK bye\r\n`)
      else if (command === 'LOGIN' || command === 'AUTHENTICATE') connection.write(`${tag} OK logged in\r\n`)
      else if (tag) connection.write(`${tag} OK done\r\n`)
    },
  )
}

/** A TCP server that accepts and never answers: a mail server that hangs (for crash tests). */
export async function startSilentServer(): Promise<Running<{ connections: number }>> {
  const record = { connections: 0 }
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    record.connections++
    sockets.add(socket)
    socket.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return { port: (server.address() as AddressInfo).port, record, close: () => closeServer(server, sockets) }
}
