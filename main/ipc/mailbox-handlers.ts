import type { SyncStatusView } from '../../preload/mailbox-contract.ts'
import { SiegelpostError, toSiegelpostError } from '../core/errors/index.ts'
import { deleteMessage } from '../core/mailbox/actions.ts'
import { folderSummaries, isUnread } from '../core/mailbox/folder-summary.ts'
import type { EnvelopeRow, MailStore } from '../core/mailbox/mail-store.ts'
import { pendingMarksOf, withWaitingMarks, type WaitingMarks } from '../core/mailbox/pending-marks.ts'
import { syncAccount } from '../core/mailbox/sync-account.ts'
import { accountStoreOf } from '../core/transport/transport-profile.ts'
import type { DomainHandlers } from './dispatch.ts'
import { transportProfileOf, type RegistryDeps } from './handler-deps.ts'
import { mailboxAccessOf, type MailboxAccess } from './mailbox-access.ts'
import { mailWatchOf } from './mail-watch.ts'

/**
 * A list row as the window shows it: the envelope without the recipients, the flags as two booleans with the
 * changes that wait for the server applied, and which of them wait.
 */
export function messageRowOf(stored: EnvelopeRow, marks?: WaitingMarks) {
  const { row, waiting } = withWaitingMarks(stored, marks)
  return {
    id: row.id,
    account: row.account,
    folder: row.folder,
    from: row.from,
    fromAddress: row.fromAddress,
    subject: row.protectedSubject ?? row.subject,
    date: row.date,
    size: row.size,
    isUnread: isUnread(row),
    isFlagged: row.flags.includes('\\Flagged'),
    protection: row.protection,
    isMalformed: row.state === 'malformed',
    waiting,
  }
}

function rowOf(store: MailStore, id: string): EnvelopeRow {
  const row = store.get(id)
  if (!row) throw new SiegelpostError('MAIL_NOT_FOUND', { id })
  return row
}

const idleStatus = (): SyncStatusView => ({
  isRunning: false,
  account: null,
  folder: null,
  done: 0,
  total: 0,
  stored: 0,
  finished: null,
  errors: [],
})

/**
 * One sync at a time for the whole window: every folder of the chosen accounts, in order. The marks
 * changes that waited for the server go first (syncAccount). Progress is kept in `status` for `mailbox:sync-status`.
 */
async function runSync(
  deps: RegistryDeps,
  access: MailboxAccess,
  names: string[],
  status: SyncStatusView,
): Promise<void> {
  const store = await access.store()
  for (const name of names) {
    status.account = name
    status.folder = null
    try {
      const server = await access.server(name)
      const result = await access.exclusive(() =>
        syncAccount(server, store, null, {
          now: deps.now,
          ...(deps.startWorker ? { startStoreWriter: () => deps.startWorker!('mail-store') } : {}),
          onProgress: ({ folder, done, total }) => Object.assign(status, { folder, done, total }),
        }),
      )
      const known = access.knownFolders.get(name) ?? new Set<string>()
      for (const outcome of result.folders) {
        known.add(outcome.folder)
        if (outcome.ok) status.stored += outcome.result.stored.length
        else status.errors.push({ account: name, folder: outcome.folder, error: outcome.error.toInfo() })
      }
      access.knownFolders.set(name, known)
    } catch (error) {
      status.errors.push({ account: name, folder: null, error: toSiegelpostError(error).toInfo() })
    }
  }
}

/** The Posteingang's handlers: folders and rows from the store, server actions, the sync and its progress. */
export function mailboxHandlers(deps: RegistryDeps): DomainHandlers<'mailbox'> {
  const access = mailboxAccessOf(deps)
  let status = idleStatus()
  const accountNames = async () => (await accountStoreOf(await transportProfileOf(deps)).list()).map((a) => a.name)
  return {
    'mailbox:folders': async () => {
      const accounts = await accountStoreOf(await transportProfileOf(deps)).list()
      const store = await access.store()
      const marks = pendingMarksOf(store).all()
      const rows = store.list().map((row) => withWaitingMarks(row, marks.get(row.id)).row)
      return {
        accounts: accounts.map((account) => ({
          name: account.name,
          email: account.email,
          folders: folderSummaries(rows, account.name, access.knownFolders.get(account.name)),
        })),
      }
    },
    'mailbox:list': async (query) => {
      const store = await access.store()
      const page = store.page(query)
      const marks = pendingMarksOf(store).all()
      return { ...page, rows: page.rows.map((row) => messageRowOf(row, marks.get(row.id))) }
    },
    'mailbox:delete': async ({ id }) => {
      const store = await access.store()
      const row = rowOf(store, id)
      const server = await access.server(row.account)
      try {
        const { folder } = await deleteMessage(server, store, id)
        // Deleted on the server: a busy store never makes that a failure (a waiting move finds the row gone).
        await pendingMarksOf(store)
          .drop(id, 'trash', true)
          .catch(() => undefined)
        return { folder, waiting: false }
      } catch (error) {
        // Offline the move to Trash waits for the server; deleting for good (in Trash) says it cannot.
        if (
          error instanceof SiegelpostError &&
          error.code === 'MAILBOX_OFFLINE' &&
          (await pendingMarksOf(store).trash(row))
        )
          return { folder: null, waiting: true }
        throw error
      }
    },
    'mailbox:flag': async ({ id, change }) => {
      const { row } = await access.flag(id, change)
      return messageRowOf(
        row,
        pendingMarksOf(await access.store())
          .all()
          .get(id),
      )
    },
    'mailbox:sync': async ({ account }) => {
      if (status.isRunning) return status
      const names = account ? [account] : await accountNames()
      status = { ...idleStatus(), isRunning: true }
      const current = status
      void runSync(deps, access, names, current)
        .catch((error: unknown) =>
          current.errors.push({ account: account ?? '', folder: null, error: toSiegelpostError(error).toInfo() }),
        )
        .finally(() => Object.assign(current, { isRunning: false, finished: deps.now().toISOString() }))
      return { ...current }
    },
    'mailbox:sync-status': async () => ({ ...status, errors: [...status.errors] }),
    'mailbox:changes': async ({ after, lang }) => mailWatchOf(deps).changes(after, lang),
  }
}
