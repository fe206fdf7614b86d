import { SiegelpostError } from '../errors/index.ts'
import type { Account } from '../transport/account.ts'
import { classifyImapError, openImap, type ImapSession } from '../transport/imap-session.ts'
import { networkFailureOf } from '../transport/tls-policy.ts'
import type { EnvelopeRow, MailStore } from './mail-store.ts'

/**
 * Actions on stored mail that change the server: written there first, then to the store, so the store
 * never shows a state the server does not have. Without a connection they fail with MAILBOX_OFFLINE
 * and change nothing; stored mail stays readable (the window queues flag changes: pending-marks.ts).
 */
export type FlagChange = 'seen' | 'unseen' | 'flagged' | 'unflagged'

export interface MailboxServer {
  account: Account
  password: string
}

const flagOf = { seen: '\\Seen', unseen: '\\Seen', flagged: '\\Flagged', unflagged: '\\Flagged' } as const

/** Opens a session for an action; a network failure becomes MAILBOX_OFFLINE naming the action. */
export async function openForAction(server: MailboxServer, action: string): Promise<ImapSession> {
  try {
    return await openImap(server.account, server.password)
  } catch (error) {
    const network = networkFailureOf((error as { cause?: unknown }).cause ?? error)
    if (network) {
      const { host, port } = server.account.imap
      throw new SiegelpostError('MAILBOX_OFFLINE', { host, port, detail: network, action }, { cause: error })
    }
    throw error
  }
}

/** Runs `use` on the stored message `row` in its folder on `session`, after checking that its UID still means it. */
async function onMessage<T>(
  session: ImapSession,
  row: EnvelopeRow,
  use: (session: ImapSession, row: EnvelopeRow) => Promise<T>,
): Promise<T> {
  const lock = await session.client.getMailboxLock(row.folder)
  try {
    // The UID means this message only under the UIDVALIDITY it was stored with (RFC 3501 §2.3.1.1).
    if (String(session.client.mailbox && session.client.mailbox.uidValidity) !== row.uidValidity)
      throw new SiegelpostError('MAILBOX_STALE', { id: row.id })
    const there = await session.client.search({ uid: String(row.uid) }, { uid: true })
    if (!there || !there.includes(row.uid)) throw new SiegelpostError('MAILBOX_STALE', { id: row.id })
    return await use(session, row)
  } finally {
    lock.release()
  }
}

async function withMessage<T>(
  server: MailboxServer,
  store: MailStore,
  id: string,
  action: string,
  use: (session: ImapSession, row: EnvelopeRow) => Promise<T>,
): Promise<T> {
  const row = store.get(id)
  if (!row) throw new SiegelpostError('MAIL_NOT_FOUND', { id })
  const session = await openForAction(server, action)
  try {
    return await onMessage(session, row, use)
  } catch (error) {
    if (error instanceof SiegelpostError) throw error
    const classified = classifyImapError(error, server.account)
    throw new SiegelpostError(
      'MAILBOX_ACTION_FAILED',
      { action, id, detail: String(classified.params.detail ?? classified.code) },
      { cause: error },
    )
  } finally {
    await session.client.logout().catch(() => session.client.close())
  }
}

/**
 * Writes `fn` (the store's side of an action the server took) without blocking this thread while another process
 * holds the store's write lock. The server has the change, so a store busy past `limits.storeBusyRetryMs` is never
 * "failed": STORE_BUSY_SERVER_DONE says so, and the folder's next sync brings the row up to the server's state.
 */
const afterServer = <T>(store: MailStore, action: string, id: string, fn: () => T): Promise<T> =>
  store.soon(fn, (cause) => new SiegelpostError('STORE_BUSY_SERVER_DONE', { action, id, path: store.path }, { cause }))

/** Writes `change` of the stored message `row` on the open `session`, then to the store; the stored row after. */
async function storeFlag(
  session: ImapSession,
  store: MailStore,
  row: EnvelopeRow,
  change: FlagChange,
): Promise<EnvelopeRow> {
  const flag = flagOf[change]
  const isAdd = change === 'seen' || change === 'flagged'
  const ok = isAdd
    ? await session.client.messageFlagsAdd(String(row.uid), [flag], { uid: true })
    : await session.client.messageFlagsRemove(String(row.uid), [flag], { uid: true })
  if (!ok)
    throw new SiegelpostError('MAILBOX_ACTION_FAILED', {
      action: `flag ${change}`,
      id: row.id,
      detail: 'STORE refused',
    })
  const flags = new Set(row.flags)
  if (isAdd) flags.add(flag)
  else flags.delete(flag)
  await afterServer(store, `flag ${change}`, row.id, () => store.setFlags(row.id, [...flags]))
  return store.get(row.id)!
}

/** `setFlag` on a session that is already open (the queue of marks that waited for the server). */
export const setFlagOn = (session: ImapSession, store: MailStore, row: EnvelopeRow, change: FlagChange) =>
  onMessage(session, row, () => storeFlag(session, store, row, change))

export async function setFlag(
  server: MailboxServer,
  store: MailStore,
  id: string,
  change: FlagChange,
): Promise<EnvelopeRow> {
  return withMessage(server, store, id, `flag ${change}`, (session, row) => storeFlag(session, store, row, change))
}

async function moveTo(
  session: ImapSession,
  store: MailStore,
  row: EnvelopeRow,
  target: string,
  action: string,
): Promise<{ folder: string; uid: number | null }> {
  const result = await session.client.messageMove(String(row.uid), target, { uid: true })
  if (!result) throw new SiegelpostError('MAILBOX_ACTION_FAILED', { action, id: row.id, detail: 'MOVE refused' })
  const uid = result.uidMap?.get(row.uid)
  // UIDPLUS (RFC 4315) names the new UID: the row moves with its id. Else the target's next sync fetches it.
  await afterServer(store, action, row.id, () => {
    if (uid !== undefined && result.uidValidity !== undefined)
      store.relocate(row.id, row.account, target, String(result.uidValidity), uid)
    else store.remove(row.id)
  })
  return { folder: target, uid: uid ?? null }
}

export async function moveMessage(
  server: MailboxServer,
  store: MailStore,
  id: string,
  target: string,
): Promise<{ folder: string; uid: number | null }> {
  const row = store.get(id)
  if (row && row.folder === target) return { folder: target, uid: row.uid }
  return withMessage(server, store, id, 'move', async (session, found) => {
    const folders = await session.client.list()
    if (!folders.some((f) => f.path === target))
      throw new SiegelpostError('MAILBOX_FOLDER_NOT_FOUND', { folder: target })
    return moveTo(session, store, found, target, 'move')
  })
}

/** The Trash folder: marked \Trash (RFC 6154), else one named like it, else created as "Trash". */
async function trashOf(session: ImapSession): Promise<string> {
  const folders = await session.client.list()
  const found =
    folders.find((f) => f.specialUse === '\\Trash') ??
    folders.find((f) => /^(trash|papierkorb|deleted( items| messages)?|gelöschte elemente)$/i.test(f.name))
  if (found) return found.path
  await session.client.mailboxCreate('Trash')
  return 'Trash'
}

/**
 * Moves the message `row` to Trash on an open session (the queue of changes that waited for the server); a
 * message already in Trash is left alone (deleting for good is never queued). The folder it went to, or null.
 */
export const trashOn = (session: ImapSession, store: MailStore, row: EnvelopeRow) =>
  onMessage(session, row, async () => {
    const trash = await trashOf(session)
    return row.folder === trash ? null : (await moveTo(session, store, row, trash, 'delete')).folder
  })

/** Moves the message to Trash; in Trash itself it is deleted for good (\Deleted + UID EXPUNGE). */
export async function deleteMessage(
  server: MailboxServer,
  store: MailStore,
  id: string,
): Promise<{ folder: string | null }> {
  return withMessage(server, store, id, 'delete', async (session, row) => {
    const trash = await trashOf(session)
    if (row.folder !== trash) return moveTo(session, store, row, trash, 'delete')
    const ok = await session.client.messageDelete(String(row.uid), { uid: true })
    if (!ok) throw new SiegelpostError('MAILBOX_ACTION_FAILED', { action: 'delete', id, detail: 'EXPUNGE refused' })
    await afterServer(store, 'delete', id, () => store.remove(id))
    return { folder: null }
  })
}
