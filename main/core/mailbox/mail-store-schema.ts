import type { Migration } from '../store/sqlite.ts'
import { envelopeOf, type EnvelopeFields } from './envelope.ts'

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
  // Step 3: a change counter per folder, bumped by triggers in the transaction of every row change (whichever
  // connection writes), and the sealed list snapshot per folder that is valid only at its counter.
  (db) =>
    db.exec(`
      CREATE TABLE box_changes (box TEXT PRIMARY KEY, counter INTEGER NOT NULL) STRICT;
      INSERT INTO box_changes (box, counter) SELECT box, 1 FROM messages WHERE box IS NOT NULL GROUP BY box;
      CREATE TABLE list_snapshots (box TEXT PRIMARY KEY, counter INTEGER NOT NULL, blob BLOB NOT NULL) STRICT;
      CREATE TRIGGER messages_insert_counts AFTER INSERT ON messages WHEN NEW.box IS NOT NULL BEGIN
        INSERT INTO box_changes (box, counter) VALUES (NEW.box, 1)
          ON CONFLICT (box) DO UPDATE SET counter = counter + 1;
      END;
      CREATE TRIGGER messages_delete_counts AFTER DELETE ON messages WHEN OLD.box IS NOT NULL BEGIN
        INSERT INTO box_changes (box, counter) VALUES (OLD.box, 1)
          ON CONFLICT (box) DO UPDATE SET counter = counter + 1;
      END;
      CREATE TRIGGER messages_update_counts AFTER UPDATE ON messages WHEN OLD.box IS NOT NULL BEGIN
        INSERT INTO box_changes (box, counter) VALUES (OLD.box, 1)
          ON CONFLICT (box) DO UPDATE SET counter = counter + 1;
      END;
      CREATE TRIGGER messages_update_moves AFTER UPDATE ON messages
        WHEN NEW.box IS NOT NULL AND NEW.box IS NOT OLD.box BEGIN
        INSERT INTO box_changes (box, counter) VALUES (NEW.box, 1)
          ON CONFLICT (box) DO UPDATE SET counter = counter + 1;
      END;
    `),
  // Step 4: new rows count once per transaction, bumped by the store just before the commit (StoreTransactions in
  // mail-store-batch.ts): a sync inserts thousands of rows per commit, and this trigger ran once for each.
  (db) => db.exec('DROP TRIGGER messages_insert_counts'),
  // Step 5: the marks that wait for the server (mail-store-pending.ts), one sealed row per message and mark keyed by
  // a keyed hash, so the CLI and the app queue, cancel and write them in the store's transactions; and the keyed
  // digests of the former queue files (`pending-marks.sealed`) taken in, so one is never taken in twice.
  (db) =>
    db.exec(`
      CREATE TABLE pending_marks (ref TEXT PRIMARY KEY, intent BLOB NOT NULL) STRICT;
      CREATE TABLE pending_imports (digest TEXT PRIMARY KEY) STRICT;
    `),
  // Step 6: a message's place (folder, UIDVALIDITY, UID) is unique by its clear columns, so new rows need no keyed
  // hash of it (`ref` of a new row is its id; rows from before keep theirs, read by nothing). New ids are time-ordered
  // (message-id.ts) and small messages are sealed with their envelope row (`rawfile` 2, mail-store-rows.ts).
  // Existing rows cannot collide: their `ref` was a keyed hash of the same place, and it was unique.
  (db) =>
    db.exec(`
      CREATE UNIQUE INDEX messages_place ON messages (box, validity, uid);
      DROP INDEX messages_box;
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

/** The listing row of a message (its envelope read from `raw` unless given). */
export function envelopeRowOf(
  id: string,
  account: string,
  folder: string,
  uidValidity: string,
  uid: number,
  raw: Uint8Array,
  flags: string[],
  fetched: Date,
  arrived: Date | null = null,
  envelope: EnvelopeFields = envelopeOf(raw, arrived),
): EnvelopeRow {
  return {
    id,
    account,
    folder,
    uidValidity,
    uid,
    size: raw.byteLength,
    flags,
    protectedSubject: null,
    fetched: fetched.toISOString(),
    ...envelope,
  }
}
