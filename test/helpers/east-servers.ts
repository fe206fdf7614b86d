import { createServer, type AddressInfo, type Socket } from 'node:net'
import { TLSSocket, createSecureContext } from 'node:tls'
import { isVariant, type Ron } from './ron.ts'
import type { Running } from './hostile-servers.ts'
import type { Pair } from './test-pki.ts'

/**
 * IMAP and SMTP servers that play an EAST fake-mail-server test case (a parsed .ron file of
 * ../shared/corpora/east-fake-mail-server) the way its server does: greeting, capabilities before and
 * after TLS, the STARTTLS answer and whether TLS follows, injected responses, hidden commands,
 * overridden replies. The certificate of the case is replaced by the test PKI's (`cert`), since the
 * client connects to 127.0.0.1. Each server records every line it got and whether it came over TLS.
 */
export interface WireRecord {
  lines: { tls: boolean; line: string }[]
  connections: number
}

interface Connection {
  isTls: boolean
  write(text: string | Buffer): void
  end(text?: string): void
  upgrade(pair: Pair, onUpgraded?: () => void): void
  /** The next line is read raw by this handler (AUTHENTICATE continuations, DATA). */
  takeNextLine(handler: (line: string) => void): void
}

async function startWireServer(
  greet: (c: Connection) => void,
  onLine: (c: Connection, line: string) => void,
): Promise<Running<WireRecord>> {
  const record: WireRecord = { lines: [], connections: 0 }
  const sockets = new Set<Socket>()
  const server = createServer((plain) => {
    record.connections++
    sockets.add(plain)
    plain.on('error', () => undefined)
    let socket: Socket = plain
    let buffer = Buffer.alloc(0)
    let pending: ((line: string) => void) | null = null
    const onData = (chunk: Buffer) => {
      // A TLS ClientHello (or any binary) where a command line belongs: answer as a real server does and hang up.
      if (!connection.isTls && chunk[0] === 0x16) {
        record.lines.push({ tls: false, line: '<TLS handshake bytes>' })
        plain.end()
        return
      }
      buffer = Buffer.concat([buffer, chunk])
      let index: number
      while ((index = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.subarray(0, index).toString('latin1')
        buffer = buffer.subarray(index + 2)
        record.lines.push({ tls: connection.isTls, line })
        const handler = pending
        pending = null
        if (handler) handler(line)
        else onLine(connection, line)
      }
    }
    const connection: Connection = {
      isTls: false,
      write: (text) => void socket.write(text),
      end: (text) => void (text === undefined ? socket.end() : socket.end(text)),
      takeNextLine: (handler) => void (pending = handler),
      upgrade: (pair, onUpgraded) => {
        plain.removeListener('data', onData)
        const secure = new TLSSocket(plain, {
          isServer: true,
          secureContext: createSecureContext({ key: pair.key, cert: pair.cert }),
        })
        secure.on('error', () => undefined)
        if (onUpgraded) secure.once('secure', onUpgraded)
        socket = secure
        connection.isTls = true
        buffer = Buffer.alloc(0)
        secure.on('data', onData)
      },
    }
    plain.on('data', onData)
    greet(connection)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    port: (server.address() as AddressInfo).port,
    record,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

const atom = (value: Ron): string =>
  isVariant(value)
    ? value.args.map(atom).join('')
    : typeof value === 'object' && value !== null && 'inner' in value
      ? atom((value as { inner: Ron }).inner)
      : String(value)

/** An IMAP capability of imap-codec's serde form as it goes on the wire. */
export function imapCapability(value: Ron): string {
  if (!isVariant(value)) return String(value)
  const names: Record<string, string> = {
    Imap4Rev1: 'IMAP4rev1',
    StartTls: 'STARTTLS',
    LoginDisabled: 'LOGINDISABLED',
    LoginReferrals: 'LOGIN-REFERRALS',
    MailboxReferrals: 'MAILBOX-REFERRALS',
    Idle: 'IDLE',
    SaslIr: 'SASL-IR',
  }
  if (value.$ === 'Auth') return `AUTH=${atom(value.args[0]!).toUpperCase()}`
  if (value.$ === 'Other') return atom(value.args[0]!)
  return names[value.$] ?? value.$.toUpperCase()
}

function imapCode(code: Ron): string {
  if (code === null || code === undefined) return ''
  if (!isVariant(code)) return ''
  if (code.$ === 'Capability') {
    const list = isVariant(code.args[0], 'NonEmptyVec') ? code.args[0].args[0] : code.args[0]
    return `[CAPABILITY ${(list as Ron[]).map(imapCapability).join(' ')}] `
  }
  if (code.$ === 'BadCharset') {
    const allowed = ((code as unknown as { allowed?: Ron[] }).allowed ?? []).map(atom)
    return `[BADCHARSET (${allowed.join(' ')})] `
  }
  return `[${code.$.toUpperCase()}] `
}

export interface EastImapCase {
  state: RonVariant
  greeting?: { kind: RonVariant; code: Ron; text: Ron }
  response_after_greeting?: string | null
  caps: Ron[]
  caps_tls: Ron[]
  caps_auth: Ron[]
  caps_tls_auth: Ron[]
  starttls_response?: string | null
  starttls_transition?: boolean
  response_after_tls?: string | null
  hide_commands?: string[]
  ignore_commands?: string[]
  ignore_commands_tls?: string[]
  hook_login?: Ron
  hook_authenticate?: Ron
  hook_select?: Ron
}
type RonVariant = { $: string; args: Ron[] }

export interface ImapPlay {
  cert: Pair
  /** The one message in INBOX (raw bytes, CRLF). */
  message: Buffer
  /** A tagged reply to LOGIN/AUTHENTICATE instead of OK (e.g. a login referral). */
  loginReply?: string
  /** A tagged reply to SELECT/EXAMINE instead of opening INBOX (e.g. a mailbox referral). */
  selectReply?: string
}

/** Plays an IMAP case: RFC 9051 just far enough for imapflow to log in, list, examine and fetch. */
export function startEastImap(testCase: EastImapCase, play: ImapPlay): Promise<Running<WireRecord>> {
  let state = testCase.state.$ === 'Authenticated' ? 'auth' : 'none'
  const greeting = testCase.greeting ?? {
    kind: { $: 'Ok', args: [] },
    code: null,
    text: { $: 'Text', args: ['Fake IMAP server ready.'] },
  }
  const kind = greeting.kind.$ === 'PreAuth' ? 'PREAUTH' : greeting.kind.$.toUpperCase()
  const text = isVariant(greeting.text) ? atom(greeting.text.args[0]!) : String(greeting.text)
  const capsFor = (c: Connection) =>
    (state === 'auth'
      ? c.isTls
        ? testCase.caps_tls_auth
        : testCase.caps_auth
      : c.isTls
        ? testCase.caps_tls
        : testCase.caps
    ).map(imapCapability)
  const matches = (list: string[] | undefined, command: string) =>
    (list ?? []).some((item) => item.toLowerCase() === command.toLowerCase())
  const terminateHook = (hook: Ron | undefined, c: Connection) => {
    if (!isVariant(hook, 'Terminate')) return false
    c.end(`* BYE ${String(hook.args[0])}\r\n`)
    return true
  }
  const folders = ['* LIST (\\HasNoChildren) "/" INBOX', '* LIST (\\HasNoChildren \\Sent) "/" Sent']
  return startWireServer(
    (c) => {
      c.write(`* ${kind} ${imapCode(greeting.code)}${text}\r\n`)
      if (testCase.response_after_greeting) c.write(testCase.response_after_greeting)
    },
    (c, line) => {
      const [tag = '*', rawCommand = ''] = line.split(' ')
      let command = rawCommand.toUpperCase()
      const rest = line.slice(tag.length + 1 + rawCommand.length).trimStart()
      if (command === 'UID') command = `UID ${rest.split(' ')[0]!.toUpperCase()}`
      if (matches(c.isTls ? testCase.ignore_commands_tls : testCase.ignore_commands, command)) return
      if (matches(testCase.hide_commands, command)) return c.write(`${tag} BAD unknown command.\r\n`)
      if (command === 'CAPABILITY')
        return c.write(`* CAPABILITY ${capsFor(c).join(' ')}\r\n${tag} OK capability done.\r\n`)
      if (command === 'NOOP') return c.write(`${tag} OK noop done.\r\n`)
      if (command === 'LOGOUT') return c.end(`* BYE bye done.\r\n${tag} OK logout done.\r\n`)
      if (command === 'STARTTLS') {
        if (state === 'auth') return c.write(`${tag} NO [CAPABILITY IMAP4rev1 AUTH=LOGIN] not allowed due to RFC.\r\n`)
        c.write(
          testCase.starttls_response
            ? testCase.starttls_response.replaceAll('<tag>', tag)
            : `${tag} OK begin TLS now.\r\n`,
        )
        if (testCase.starttls_transition ?? true) {
          c.upgrade(play.cert, () => {
            if (testCase.response_after_tls) c.write(testCase.response_after_tls)
          })
        }
        return
      }
      if (state === 'none' && (command === 'LOGIN' || command === 'AUTHENTICATE')) {
        if (terminateHook(command === 'LOGIN' ? testCase.hook_login : testCase.hook_authenticate, c)) return
        const done = () => {
          if (play.loginReply) return c.write(`${tag} ${play.loginReply}\r\n`)
          state = 'auth'
          c.write(`${tag} OK authenticate done.\r\n`)
        }
        // AUTHENTICATE PLAIN without an initial response: the credentials follow on the next line.
        if (command === 'AUTHENTICATE' && rest.trim().split(' ').length < 2) {
          c.write('+ \r\n')
          return c.takeNextLine(() => done())
        }
        return done()
      }
      if (state !== 'auth') return c.write(`${tag} BAD ${command} not allowed.\r\n`)
      // LIST "" "" asks for the hierarchy delimiter only (RFC 9051 §6.3.9).
      if (command === 'LIST' && /""\s*""\s*$/.test(rest))
        return c.write(`* LIST (\\Noselect) "/" ""\r\n${tag} OK list done.\r\n`)
      if (command === 'LIST' || command === 'LSUB')
        return c.write(
          `${folders.map((f) => f.replace('LIST', command)).join('\r\n')}\r\n${tag} OK ${command.toLowerCase()} done.\r\n`,
        )
      if (command === 'SELECT' || command === 'EXAMINE') {
        if (terminateHook(testCase.hook_select, c)) return
        if (play.selectReply) return c.write(`${tag} ${play.selectReply}\r\n`)
        state = 'auth'
        return c.write(
          `* FLAGS (\\Seen)\r\n* 1 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 42] ok\r\n* OK [UIDNEXT 2] ok\r\n${tag} OK [READ-ONLY] done.\r\n`,
        )
      }
      if (command === 'UID FETCH' || command === 'FETCH') {
        const wantsBody = /BODY(\.PEEK)?\[\]/i.test(rest)
        const body = wantsBody ? ` BODY[] {${play.message.length}}\r\n${play.message.toString('latin1')}` : ''
        return c.write(`* 1 FETCH (UID 1 RFC822.SIZE ${play.message.length}${body})\r\n${tag} OK fetch done.\r\n`)
      }
      return c.write(`${tag} BAD ${command} not allowed.\r\n`)
    },
  )
}

/** An SMTP capability of smtp-codec's serde form as an EHLO line. */
export function smtpCapability(value: Ron): string {
  if (!isVariant(value)) return String(value)
  if (value.$ === 'Auth')
    return `AUTH ${(value.args[0] as Ron[]).map((m) => (isVariant(m, 'Other') ? String(m.args[0]) : isVariant(m) ? m.$.toUpperCase() : String(m))).join(' ')}`
  if (value.$ === 'StartTLS') return 'STARTTLS'
  return value.$.toUpperCase()
}

export interface EastSmtpCase {
  greeting?: string
  capabilities: Ron[]
  capabilities_tls: Ron[]
  stls_response?: string
  stls_make_transition?: boolean
  ignore_commands_tls?: string[]
  hide_commands?: string[]
  override_response?: Record<string, string>
}

/** Plays an SMTP case as the fake server does: hidden commands get 502, overrides answer instead of acting. */
export function startEastSmtp(
  testCase: EastSmtpCase,
  play: { cert: Pair },
): Promise<Running<WireRecord & { messages: Buffer[] }>> {
  const messages: Buffer[] = []
  const running = startWireServer(
    (c) => c.write(testCase.greeting ?? '220 smtp.example.com ESMTP fake\r\n'),
    (c, line) => {
      const verb = line.split(' ')[0]!.toUpperCase()
      if (c.isTls && (testCase.ignore_commands_tls ?? []).some((v) => v.toUpperCase() === verb)) return
      if ((testCase.hide_commands ?? []).some((v) => v.toUpperCase() === verb))
        return c.write('502 command not recognized\r\n')
      const override = Object.entries(testCase.override_response ?? {}).find(([key]) => key.toUpperCase() === verb)
      if (override) return c.write(override[1])
      if (verb === 'EHLO') {
        const caps = (c.isTls ? testCase.capabilities_tls : testCase.capabilities).map(smtpCapability)
        return c.write(
          ['250-example.org ...', ...caps.map((cap) => `250-${cap}`), '250 8BITMIME'].join('\r\n') + '\r\n',
        )
      }
      if (verb === 'QUIT') return c.end('221 ...\r\n')
      if (verb === 'STARTTLS' && !c.isTls) {
        c.write(testCase.stls_response ?? '220 Ready to start TLS\r\n')
        if (testCase.stls_make_transition ?? true) c.upgrade(play.cert)
        return
      }
      if (verb === 'AUTH') {
        if (line.split(' ').length > 2) return c.write('235 ...\r\n')
        c.write('334 \r\n')
        return c.takeNextLine(() => c.write('235 ...\r\n'))
      }
      if (verb === 'DATA') {
        c.write('354 ...\r\n')
        const lines: string[] = []
        const next = (dataLine: string) => {
          if (dataLine === '.') {
            messages.push(
              Buffer.from(lines.map((l) => `${l.startsWith('..') ? l.slice(1) : l}\r\n`).join(''), 'latin1'),
            )
            return c.write('250 ...\r\n')
          }
          lines.push(dataLine)
          c.takeNextLine(next)
        }
        return c.takeNextLine(next)
      }
      return c.write('250 ...\r\n')
    },
  )
  return running.then((server) => ({ ...server, record: Object.assign(server.record, { messages }) }))
}
