import { z } from 'zod'
import type { Migration } from '../store/sqlite.ts'

// The Outbox's records and its SQLite schema steps; the store itself is outbox.ts.

export type OutboxState = 'queued' | 'sending' | 'sent' | 'held'

export const EnvelopeSchema = z.object({
  account: z.string(),
  from: z.string(),
  recipients: z.array(z.string()),
  subject: z.string(),
  messageId: z.string(),
  isEndToEnd: z.boolean(),
  /** A copy of a split mail: the protection the plan chose for its recipients. */
  protection: z.enum(['smime', 'openpgp', 'container', 'tls']).optional(),
  /** The consents that allowed this copy without end-to-end encryption: the register's entry per recipient. */
  consents: z
    .array(
      z.object({ recipient: z.string(), target: z.string(), channel: z.string(), by: z.string(), date: z.string() }),
    )
    .optional(),
})
export type OutboxEnvelope = z.infer<typeof EnvelopeSchema>

export const OutcomeSchema = z.object({
  reason: z.object({ code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])) }).nullable(),
  tls: z.object({ version: z.string(), cipher: z.string(), requiretls: z.boolean() }).nullable(),
  append: z.object({ state: z.enum(['ok', 'failed']), detail: z.string() }).nullable(),
  /** Recipients the server refused while it took the message for the others (the entry is sent, with this reason). */
  rejected: z.array(z.string()).optional(),
})
export type OutboxOutcome = z.infer<typeof OutcomeSchema>
export const emptyOutcome: OutboxOutcome = { reason: null, tls: null, append: null }

export interface OutboxEntry {
  id: string
  state: OutboxState
  created: string
  updated: string
  attempts: number
  owner: string | null
  /** The copies of one mail share a group (compose --send); null for a mail sent on its own. */
  groupId: string | null
  envelope: OutboxEnvelope
  outcome: OutboxOutcome
}

export type Row = Omit<OutboxEntry, 'envelope' | 'outcome' | 'groupId'> & {
  envelope: Uint8Array
  outcome: Uint8Array | null
  group_id: string | null
}
export const rowColumns = 'id, state, created, updated, attempts, owner, group_id, envelope, outcome'

/**
 * A group: the copies of one mail. `preparing` while its copies are written (none of them can be sent);
 * `ready` once all are there, in the same transaction that stores the sender's item for Sent. The Sent
 * item is appended once per group: pending → appending (claimed by one process) → done.
 */
export interface OutboxGroup {
  id: string
  state: 'preparing' | 'ready'
  entries: string[]
  sentItem: { state: 'pending' | 'appending' | 'done'; append: OutboxOutcome['append'] }
}
export const AppendSchema = z.object({ state: z.enum(['ok', 'failed']), detail: z.string() }).nullable()

/** The Outbox's schema steps (store/sqlite.ts); step 1 is the table as first released. */
export const outboxMigrations: readonly Migration[] = [
  (db) =>
    db.exec(`CREATE TABLE IF NOT EXISTS outbox (
      id TEXT PRIMARY KEY,
      state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'held')),
      created TEXT NOT NULL,
      updated TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      owner TEXT,
      envelope BLOB NOT NULL,
      message BLOB NOT NULL,
      outcome BLOB
    ) STRICT`),
  (db) =>
    db.exec(`CREATE TABLE outbox_group (
      id TEXT PRIMARY KEY,
      state TEXT NOT NULL CHECK (state IN ('preparing', 'ready')),
      created TEXT NOT NULL,
      updated TEXT NOT NULL,
      owner TEXT,
      sent_item BLOB,
      sent_item_state TEXT NOT NULL DEFAULT 'pending' CHECK (sent_item_state IN ('pending', 'appending', 'done')),
      append BLOB
    ) STRICT;
    ALTER TABLE outbox ADD COLUMN group_id TEXT;
    CREATE INDEX outbox_by_group ON outbox (group_id);
    CREATE TABLE outbox_message (id TEXT PRIMARY KEY, message BLOB NOT NULL) STRICT`),
  (db) =>
    db.exec(`ALTER TABLE outbox ADD COLUMN message_file INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE outbox_group ADD COLUMN sent_item_file INTEGER NOT NULL DEFAULT 0`),
]

/*
 * Message bytes of entries written since step 2 live in outbox_message (outbox.message is empty then):
 * SQLite rewrites a whole row on UPDATE, and every state change of an entry would otherwise copy (and
 * fsync) a 100 MB message again. Entries of step 1 keep theirs in outbox.message.
 *
 * Since step 3 an entry's message is a sealed file of records (store/sealed-file.ts) in `outbox-files/`,
 * written as the composer produces it and read record by record into SMTP, never held whole;
 * `message_file = 1` says so (then neither outbox.message nor outbox_message holds it). Entries written
 * before keep their SQLite value and are sent from it. A group's Sent item likewise: `<group>.sent.sealed`
 * when `sent_item_file = 1`, else outbox_group.sent_item.
 */
