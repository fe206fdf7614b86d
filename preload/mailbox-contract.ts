import { z } from 'zod'
import { limits } from '../main/core/limits.ts'

/**
 * The Posteingang's channels (`mailbox:*`): the synced local store as folders and list rows, the actions
 * that change the server (written there first, then to the store), and the sync with its progress. Rows
 * carry what the list shows — never a message body; a message is read through `mail:open` (kind `stored`).
 */
const Id = z.string().min(1).max(200)
const Name = z.string().min(1).max(500)

export const MessageRowSchema = z.object({
  id: z.string(),
  account: z.string(),
  folder: z.string(),
  /** The sender as written ("Name <addr>"), and the address alone. */
  from: z.string(),
  fromAddress: z.string(),
  /** The protected subject (header protection) once the message was opened, else the outer one. */
  subject: z.string(),
  date: z.string(),
  size: z.number().int(),
  isUnread: z.boolean(),
  isFlagged: z.boolean(),
  /** As far as known without decrypting (the top-level Content-Type). */
  protection: z.object({
    encryption: z.enum(['encrypted', 'none', 'unknown']),
    signature: z.enum(['signed', 'none', 'unknown']),
  }),
  isMalformed: z.boolean(),
  /**
   * Marks changed while the server could not be reached: `isUnread`/`isFlagged` show the change, which waits
   * (kept sealed) for the next session to the server and is written there first, then to the store; `trash`:
   * deleted offline, the message goes to Trash then.
   */
  waiting: z.array(z.enum(['seen', 'flagged', 'trash'])),
})
export type MessageRowView = z.infer<typeof MessageRowSchema>

/** The list's order: newest first (by Date, then the server's arrival order) or oldest first. */
export const ListSortSchema = z.enum(['newest', 'oldest'])
export type ListSortView = z.infer<typeof ListSortSchema>

export const FolderViewSchema = z.object({
  name: z.string(),
  role: z.enum(['inbox', 'drafts', 'sent', 'trash', 'junk', 'archive']).nullable(),
  total: z.number().int(),
  unread: z.number().int(),
})
export type FolderView = z.infer<typeof FolderViewSchema>

const WireError = z.object({
  code: z.string(),
  kind: z.enum(['user', 'remote', 'bug']),
  message: z.object({ de: z.string(), en: z.string() }),
})

export const SyncStatusSchema = z.object({
  isRunning: z.boolean(),
  account: z.string().nullable(),
  folder: z.string().nullable(),
  /** New messages fetched so far in the current folder and how many there are (0/0 while scanning). */
  done: z.number().int(),
  total: z.number().int(),
  /** New messages stored by the last (or current) sync, over all folders. */
  stored: z.number().int(),
  /** ISO time the last sync ended; null before the first. */
  finished: z.string().nullable(),
  /** What stopped a folder or an account (offline, refused login, …), each in both languages. */
  errors: z.array(z.object({ account: z.string(), folder: z.string().nullable(), error: WireError })),
})
export type SyncStatusView = z.infer<typeof SyncStatusSchema>

/**
 * What changed in the store while the window waited: a sync started by the watcher (the account's own IMAP
 * session on INBOX, IDLE or polling) stored new mail or saw flag changes or expunges. Counts only — the
 * window reads the rows again through `mailbox:list` and `mailbox:folders`; nothing here names a subject
 * or a sender.
 */
export const MailChangeSchema = z.object({
  seq: z.number().int(),
  account: z.string(),
  folder: z.string(),
  /** New unread messages, and how many of them are encrypted (outer header). */
  unread: z.number().int(),
  encrypted: z.number().int(),
  /** Every stored message, flag changes and removals (for the list's refresh). */
  stored: z.number().int(),
  changed: z.number().int(),
  removed: z.number().int(),
})
export type MailChangeView = z.infer<typeof MailChangeSchema>

export const WatchStateSchema = z.object({
  account: z.string(),
  state: z.enum(['connecting', 'watching', 'offline', 'stopped']),
  /** IDLE where the server offers it, else NOOP polling; null while not connected. */
  mode: z.enum(['idle', 'poll']).nullable(),
})
export type WatchStateView = z.infer<typeof WatchStateSchema>

export const mailboxChannels = {
  /** The accounts with their folders (stored and unread counts), from the store; no server needed. */
  'mailbox:folders': {
    req: z.undefined(),
    res: z.object({
      accounts: z.array(z.object({ name: z.string(), email: z.string(), folders: z.array(FolderViewSchema) })),
    }),
  },
  /**
   * A window of one folder's rows: `limit` rows (at most `limits.mailboxListPageMaxRows`) from `offset` in the
   * `sort` order (newest first by default); `search` narrows to addresses and subjects containing the text.
   * `total` counts the rows matching, `all` the folder's rows; `foundAt` is where `find` (an id) is.
   */
  'mailbox:list': {
    req: z.strictObject({
      account: Name,
      folder: Name,
      search: z.string().max(500).optional(),
      offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
      limit: z.number().int().min(1).max(limits.mailboxListPageMaxRows).optional(),
      sort: ListSortSchema.optional(),
      find: Id.optional(),
    }),
    res: z.object({
      rows: z.array(MessageRowSchema).max(limits.mailboxListPageMaxRows),
      offset: z.number().int(),
      total: z.number().int(),
      all: z.number().int(),
      sort: ListSortSchema,
      foundAt: z.number().int().nullable(),
    }),
  },
  /**
   * Moves the message to Trash on the server, then in the store (in Trash: deleted for good). Offline the move
   * to Trash waits for the server (`waiting`, the row's `waiting` has `trash`); deleting for good does not wait.
   */
  'mailbox:delete': {
    req: z.strictObject({ id: Id }),
    res: z.object({ folder: z.string().nullable(), waiting: z.boolean() }),
  },
  /** Marks read/unread or flags, on the server first; offline the change waits (the row's `waiting`). */
  'mailbox:flag': {
    req: z.strictObject({ id: Id, change: z.enum(['seen', 'unseen', 'flagged', 'unflagged']) }),
    res: MessageRowSchema,
  },
  /** Starts a sync of every folder of one account (or all accounts) unless one runs; answers at once. */
  'mailbox:sync': {
    req: z.strictObject({ account: Name.optional() }),
    res: SyncStatusSchema,
  },
  /** How the running or last sync is doing (the window asks while it runs). */
  'mailbox:sync-status': { req: z.undefined(), res: SyncStatusSchema },
  /**
   * Waits (up to limits.mailChangesWaitMs) for changes after `after` or a watch's new state and answers;
   * `after: -1` answers at once with the current sequence number only. Also keeps each account watched while
   * the window asks, and `lang` is the language of the new-mail notification.
   */
  'mailbox:changes': {
    req: z.strictObject({ after: z.number().int().min(-1), lang: z.enum(['de', 'en']) }),
    res: z.object({ seq: z.number().int(), changes: z.array(MailChangeSchema), watching: z.array(WatchStateSchema) }),
  },
} as const
