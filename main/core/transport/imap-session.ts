import { ImapFlow } from 'imapflow'
import { SiegelpostError } from '../errors/index.ts'
import { limits } from '../limits.ts'
import type { Account } from './account.ts'
import { classifyImapError } from './imap-errors.ts'
import { tlsOptionsFor, unreachableOf, verifyTlsSocket, type TlsInfo } from './tls-policy.ts'

// Where other modules find it (it lives apart so that the streamed APPEND does not load imapflow).
export { classifyImapError } from './imap-errors.ts'

/**
 * IMAP over implicit TLS (993) or STARTTLS-required (143). imapflow's default for a non-secure
 * connection is *opportunistic* STARTTLS — it continues in cleartext and sends the password when
 * the server does not offer STARTTLS (library-facts §2.1, test-stack.md §2). So `doSTARTTLS: true`
 * is always set for the STARTTLS mode, and `secureConnection` is checked after connecting.
 */
export interface ImapSession {
  client: ImapFlow
  tls: TlsInfo
}

const quietLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined }

export function imapOptionsFor(account: Account, password: string) {
  const endpoint = account.imap
  return {
    host: endpoint.host,
    port: endpoint.port,
    // One or the other: imapflow refuses both together. Never neither (that is the plaintext fallback).
    ...(endpoint.security === 'tls' ? { secure: true } : { secure: false, doSTARTTLS: true }),
    tls: tlsOptionsFor(endpoint, account),
    auth: { user: account.user, pass: password },
    logger: quietLogger,
    disableAutoIdle: true,
    // ENABLE QRESYNC where offered (RFC 7162 §3.2.3): expunges then arrive as VANISHED with UIDs.
    qresync: true,
    connectionTimeout: limits.mailConnectTimeoutMs,
    greetingTimeout: limits.mailConnectTimeoutMs,
    socketTimeout: limits.mailSocketTimeoutMs,
    clientInfo: { name: 'Siegelpost' },
  } as const
}

export async function openImap(account: Account, password: string): Promise<ImapSession> {
  const endpoint = account.imap
  const where = { host: endpoint.host, port: endpoint.port }
  const client = new ImapFlow(imapOptionsFor(account, password))
  client.on('error', () => undefined)
  // imapflow's connectionTimeout ends when the socket is up; a server that answers STARTTLS or the login
  // with something imapflow waits past (a "+" continuation, corpus case O_4) would hold the session for
  // the socket timeout. Connect, STARTTLS and login together get the connect budget.
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error('no usable answer in time'), { isLoginDeadline: true })),
      limits.mailConnectTimeoutMs,
    )
  })
  try {
    await Promise.race([client.connect(), deadline])
  } catch (error) {
    client.close()
    if ((error as { isLoginDeadline?: boolean }).isLoginDeadline) {
      const detail = 'no usable answer in time'
      throw client.secureConnection
        ? new SiegelpostError('IMAP_FAILED', { ...where, detail })
        : new SiegelpostError('TLS_NOT_ESTABLISHED', { ...where, detail })
    }
    const unreachable = unreachableOf(error)
    if (unreachable) throw new SiegelpostError('IMAP_UNREACHABLE', { ...where, detail: unreachable }, { cause: error })
    throw classifyImapError(error, account)
  } finally {
    clearTimeout(timer)
  }
  try {
    if (client.secureConnection !== true)
      throw new SiegelpostError('TLS_NOT_ESTABLISHED', { ...where, detail: 'not secure' })
    const tls = verifyTlsSocket((client as unknown as { socket: unknown }).socket, endpoint, account)
    return { client, tls }
  } catch (error) {
    client.close()
    throw error
  }
}

export interface ImapFolder {
  /** The mailbox name to pass to `fetch --folder` (full path, server delimiter). */
  path: string
  name: string
  delimiter: string | null
  /** RFC 6154 role (`\Sent`, `\Drafts`, `\Junk`, …), or null. */
  specialUse: string | null
  subscribed: boolean
  /** \Noselect folders are containers only: nothing to fetch in them. */
  selectable: boolean
}

/** The account's folders (IMAP LIST), sorted by path, names as the server decoded them (modified UTF-7 → Unicode). */
export async function listFolders(session: ImapSession, account: Account): Promise<ImapFolder[]> {
  try {
    const folders = await session.client.list()
    return folders
      .map((f) => ({
        path: f.path,
        name: f.name,
        delimiter: f.delimiter ?? null,
        specialUse: f.specialUse ?? null,
        subscribed: Boolean(f.subscribed),
        selectable: !f.flags.has('\\Noselect') && !f.flags.has('\\NonExistent'),
      }))
      .sort((a, b) => (a.path === 'INBOX' ? -1 : b.path === 'INBOX' ? 1 : a.path.localeCompare(b.path)))
  } catch (error) {
    throw error instanceof SiegelpostError ? error : classifyImapError(error, account)
  }
}

/** The Sent folder: the one marked \Sent (RFC 6154), else one named "Sent". */
export async function sentFolderOf(client: ImapFlow): Promise<string | null> {
  const folders = await client.list()
  return (
    (folders.find((f) => f.specialUse === '\\Sent') ?? folders.find((f) => /^(sent|gesendet)$/i.test(f.name)))?.path ??
    null
  )
}
