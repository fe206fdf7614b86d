import type { Writable } from 'node:stream'
import SMTPConnection from 'nodemailer/lib/smtp-connection'
import { SiegelpostError } from '../errors/index.ts'
import { limits } from '../limits.ts'
import { releaseBytes } from '../streaming/release.ts'
import type { Account } from './account.ts'
import type { OutgoingMessage } from './outgoing-message.ts'
import { MaybeSentError, NotSentError } from './smtp-errors.ts'
import { networkFailureOf, tlsFailureOf, tlsOptionsFor, verifyTlsSocket, type TlsInfo } from './tls-policy.ts'

export { MaybeSentError, NotSentError } from './smtp-errors.ts'

/**
 * Submission (RFC 6409) over implicit TLS (RFC 8314) or STARTTLS-required. nodemailer's
 * SMTPConnection is driven step by step so that our own checks sit between the steps:
 *   connect + TLS → verify socket → read EHLO (REQUIRETLS?) → policy → AUTH → onTransfer → MAIL/RCPT/DATA.
 * `requireTLS: true` makes nodemailer send STARTTLS even when it is not advertised and fail when
 * the upgrade fails (library-facts §1.1) — never the silent plaintext default.
 */
export interface SubmitRequest {
  account: Account
  password: string
  envelope: { from: string; to: string[] }
  /** The bytes, streamed into DATA (nodemailer dot-stuffs them and ends with CRLF.CRLF); its size goes into SIZE=. */
  message: OutgoingMessage
  /** Called with whether the server's EHLO (inside TLS) offered REQUIRETLS; throws a held reason or says whether to request it. */
  decideRequireTls: (serverOffersRequireTls: boolean) => boolean
  /** Called after AUTH succeeded, just before MAIL FROM: from here on the server may have the message. */
  onTransfer: () => Promise<void>
}

export interface SubmitResult {
  tls: TlsInfo
  requireTls: boolean
  response: string
  /** Recipients the server refused while it took the message for the others. */
  rejected: string[]
}

interface Internals {
  _socket: unknown
  _supportedExtensions: string[]
  /** The number of the server's EHLO SIZE (RFC 1870), 0 when it names none. */
  _maxAllowedSize: number
}

/**
 * One SMTPConnection step as a promise. nodemailer reports some failures (socket, TLS, timeouts) only
 * as an 'error' or 'end' event and never calls the step's callback, so both are listened to.
 */
export function step<T = void>(
  connection: SMTPConnection,
  run: (done: (error?: unknown, value?: T) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false
    const finish = (error?: unknown, value?: T) => {
      if (settled) return
      settled = true
      connection.off('error', onError)
      connection.off('end', onEnd)
      if (error) reject(error)
      else resolve(value as T)
    }
    const onError = (error: unknown) => finish(error)
    const onEnd = () => finish(Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' }))
    connection.on('error', onError)
    connection.once('end', onEnd)
    run(finish)
  })
}

export interface SmtpSession {
  connection: SMTPConnection
  tls: TlsInfo
  extensions: string[]
  /** The largest message the server takes (EHLO SIZE), null when it names no limit. */
  maxSize: number | null
}

/** Connect with TLS and verify it. Nothing but EHLO/STARTTLS has been sent when this returns. */
export async function openSmtp(account: Account): Promise<SmtpSession> {
  const endpoint = account.smtp
  let injected = false
  const warn = (...args: unknown[]) => {
    // nodemailer discards bytes that arrive in plaintext after "220 Ready to start TLS" (RFC 3207 §6)
    // and logs it; a server (or a man in the middle) that does this is treated as hostile.
    if (args.some((arg) => typeof arg === 'string' && arg.includes('Discarded'))) injected = true
  }
  const quiet = () => undefined
  const connection = new SMTPConnection({
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.security === 'tls',
    requireTLS: endpoint.security === 'starttls',
    ignoreTLS: false,
    opportunisticTLS: false,
    tls: tlsOptionsFor(endpoint, account),
    // The EHLO name: a fixed word instead of the machine's host name, which would leak to every server.
    name: 'siegelpost',
    connectionTimeout: limits.mailConnectTimeoutMs,
    greetingTimeout: limits.mailConnectTimeoutMs,
    socketTimeout: limits.mailSocketTimeoutMs,
    logger: { warn, info: quiet, debug: quiet, trace: quiet, error: quiet, fatal: quiet },
  })
  connection.on('error', () => undefined)
  try {
    await step(connection, (done) => connection.connect((error) => done(error)))
  } catch (error) {
    connection.close()
    throw new NotSentError(classifyConnectError(error, account))
  }
  const where = { host: endpoint.host, port: endpoint.port }
  try {
    if (injected) throw new SiegelpostError('TLS_STARTTLS_INJECTION', where)
    if (!connection.secure) throw new SiegelpostError('TLS_NOT_ESTABLISHED', { ...where, detail: 'not secure' })
    const internals = connection as unknown as Internals
    const tls = verifyTlsSocket(internals._socket, endpoint, account)
    const hasSize = internals._supportedExtensions.includes('SIZE') && internals._maxAllowedSize > 0
    const maxSize = hasSize ? internals._maxAllowedSize : null
    return { connection, tls, extensions: [...internals._supportedExtensions], maxSize }
  } catch (error) {
    connection.close()
    throw new NotSentError(error as SiegelpostError)
  }
}

function classifyConnectError(error: unknown, account: Account): SiegelpostError {
  const endpoint = account.smtp
  const where = { host: endpoint.host, port: endpoint.port }
  const code = (error as { code?: string }).code
  // ETLS: the STARTTLS command was refused or not understood (stripped or disabled).
  if (code === 'ETLS' && (error as { command?: string }).command === 'STARTTLS') {
    return new SiegelpostError('TLS_STARTTLS_MISSING', where, { cause: error })
  }
  const tls = tlsFailureOf(error, endpoint)
  if (tls) return tls
  if (code === 'ETLS')
    return new SiegelpostError('TLS_NOT_ESTABLISHED', { ...where, detail: 'STARTTLS' }, { cause: error })
  const response = (error as { response?: string }).response
  if (response)
    return new SiegelpostError(
      'SMTP_REJECTED',
      { host: endpoint.host, reply: sanitizeReply(response) },
      { cause: error },
    )
  return new SiegelpostError(
    'SMTP_UNREACHABLE',
    { ...where, detail: networkFailureOf(error) ?? code ?? 'error' },
    { cause: error },
  )
}

/** Server text goes into a reason shown to the user: one line, printable, bounded. */
export function sanitizeReply(reply: string): string {
  return reply
    .replace(/[^\x20-\x7e\u00a0-\uffff]+/g, ' ')
    .trim()
    .slice(0, 300)
}

/**
 * While the message goes into DATA: each of its own chunks (`owned`) is freed once the TLS socket has written it.
 * nodemailer pipes the message through its dot-stuffing stream, which passes a chunk that needs no change on as the
 * same buffer, into the socket; the write callback is the one point that knows the socket is done with it. (A
 * chunk that was changed was copied, and its original is left to the collector.) Returns the undo.
 */
function freeWhenWritten(connection: SMTPConnection, owned: WeakSet<Uint8Array>): () => void {
  const socket = (connection as unknown as Internals)._socket as Writable
  const write = socket.write
  const isOwn = Object.hasOwn(socket, 'write')
  type Done = (error?: Error | null) => void
  socket.write = function (this: Writable, ...args: unknown[]) {
    const [chunk] = args
    if (!(chunk instanceof Uint8Array) || !owned.has(chunk)) return Reflect.apply(write, this, args) as boolean
    const done = args.find((arg): arg is Done => typeof arg === 'function')
    owned.delete(chunk)
    const written: Done = (error) => {
      releaseBytes(chunk)
      done?.(error)
    }
    return Reflect.apply(write, this, [chunk, written]) as boolean
  } as Writable['write']
  return () => {
    if (isOwn) socket.write = write
    else delete (socket as Partial<Writable>).write
  }
}

export async function submit(request: SubmitRequest): Promise<SubmitResult> {
  const { account } = request
  const host = account.smtp.host
  const session = await openSmtp(account)
  const { connection } = session
  let restore = () => undefined as void
  try {
    let requireTls: boolean
    try {
      requireTls = request.decideRequireTls(session.extensions.includes('REQUIRETLS'))
      // RFC 1870: a message over the announced SIZE is held with the limit named, before AUTH and any byte of it.
      if (session.maxSize !== null && request.message.size > session.maxSize) {
        const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)
        const size = mib(request.message.size)
        throw new SiegelpostError('SMTP_MESSAGE_TOO_LARGE', {
          host,
          size,
          limit: mib(session.maxSize),
          limitBytes: session.maxSize,
        })
      }
      await step(connection, (done) =>
        connection.login({ user: account.user, pass: request.password }, (error) => done(error)),
      )
    } catch (error) {
      if (error instanceof SiegelpostError) throw new NotSentError(error)
      const reply = sanitizeReply((error as { response?: string }).response ?? (error as Error).message)
      if ((error as { code?: string }).code === 'EAUTH')
        throw new NotSentError(new SiegelpostError('SMTP_AUTH_FAILED', { host, reply }, { cause: error }))
      throw new NotSentError(classifyConnectError(error, account))
    }
    await request.onTransfer()
    if (request.message.owned) restore = freeWhenWritten(connection, request.message.owned)
    const info = await step<{ response: string; rejected?: string[] }>(connection, (done) =>
      connection.send(
        {
          from: request.envelope.from,
          to: request.envelope.to,
          size: request.message.size,
          requireTLSExtensionEnabled: requireTls,
        },
        request.message.stream(),
        (error, result) => done(error, result),
      ),
    ).catch((error: unknown) => {
      const responseCode = (error as { responseCode?: number }).responseCode
      const response = (error as { response?: string }).response
      // A numbered reply means the server answered and did not take the message.
      if (typeof responseCode === 'number' && responseCode >= 400 && response) {
        throw new NotSentError(
          new SiegelpostError('SMTP_REJECTED', { host, reply: sanitizeReply(response) }, { cause: error }),
        )
      }
      throw new MaybeSentError(
        new SiegelpostError(
          'SMTP_UNREACHABLE',
          { host, port: account.smtp.port, detail: networkFailureOf(error) ?? 'interrupted' },
          { cause: error },
        ),
      )
    })
    return { tls: session.tls, requireTls, response: sanitizeReply(info.response), rejected: info.rejected ?? [] }
  } finally {
    restore()
    connection.quit()
    connection.close()
  }
}
