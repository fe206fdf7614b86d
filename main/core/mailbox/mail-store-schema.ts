import type { Migration } from '../store/sqlite.ts'
import type { EnvelopeFields } from './envelope.ts'

/**
 * The message store's file, schema steps and row types (mail-store.ts holds the store itself).
 */
export const mailStoreFileName = 'messages.sqlite'

/** The message store's schema steps (store/sqlite.ts); released steps never change. */
export const mailStoreMigrations: readonly Migration[] = [
  (db) =>
    db.exec(
      'CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, ref TEXT NOT NULL UNIQUE, fetched TEXT NOT NULL, meta BLOB NOT NULL, raw BLOB NOT NULL) STRICT',
    ),
  // Step 2: sync and listing. Rows of step 1 get their new columns when the store opens (needs the key).
  (db) =>
    db.exec(`
      ALTER TABLE messages ADD COLUMN box TEXT;
      ALTER TABLE messages ADD COLUMN validity TEXT;
      ALTER TABLE messages ADD COLUMN uid INTEGER;
      ALTER TABLE messages ADD COLUMN digest TEXT;
      ALTER TABLE messages ADD COLUMN envelope BLOB;
      ALTER TABLE messages ADD COLUMN rawfile INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE messages ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX messages_box ON messages (box, validity, uid);
      CREATE TABLE folders (box TEXT PRIMARY KEY, state BLOB NOT NULL) STRICT;
    `),
]

/** One message as the list shows it: the envelope plus where it lives and its flags. */
export interface EnvelopeRow extends EnvelopeFields {
  id: string
  account: string
  folder: string
  uidValidity: string
  uid: number
  size: number
  flags: string[]
  /** The subject from inside the protection (header protection), kept after the first open; else null. */
  protectedSubject: string | null
  fetched: string
}

/** What a folder's last complete sync saw (CONDSTORE: HIGHESTMODSEQ as a decimal string). */
export interface FolderState {
  uidValidity: string
  highestModseq: string | null
  uidNext: number | null
  synced: string
}

export interface ListQuery {
  account?: string
  folder?: string
  /** Case-insensitive text in From, To, Cc, the subject or the protected subject. */
  search?: string
}

/** The list's order: newest first (by Date, then UID) or the reverse. */
export type ListSort = 'newest' | 'oldest'

/** A window of a (searched) folder's rows, for a list that shows only what is in view. */
export interface PageQuery extends ListQuery {
  /** The first row of the window in the chosen order (0 = the first row). */
  offset?: number
  /** Rows in the window (at most `limits.mailboxListPageMaxRows`). */
  limit?: number
  sort?: ListSort
  /** A message id whose position in the whole ordered list is wanted (the selection after a reload). */
  find?: string
}

export interface ListPage {
  rows: EnvelopeRow[]
  offset: number
  /** Rows matching the query (with the search); `all` without it. */
  total: number
  all: number
  sort: ListSort
  /** Where `find` is in the ordered list; null when it is not there (or none was asked). */
  foundAt: number | null
}

export interface StoredUid {
  id: string
  uidValidity: string
  flags: string[]
}

/** The additional-data label of a sealed column of message `id` (binds each sealed value to its row). */
export const sealContext = (id: string, column: string) => `siegelpost/messages/v1/${id}/${column}`
