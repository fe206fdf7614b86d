import { createHmac, randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { DatabaseSync } from 'node:sqlite'
import { openVersionedDatabase, SchemaTooNewError, type Migration } from '../store/sqlite.ts'
import { SiegelpostError } from '../errors/index.ts'
import { openBlob, sealBlob, sealJson } from '../store/sealed-blob.ts'

/**
 * The local store `fetch` writes into: raw messages exactly as the server sent them (encrypted mail stays
 * encrypted), each sealed with AES-256-GCM under a vault-derived key. The only clear columns are an id,
 * the fetch time and a keyed hash of (account, folder, UIDVALIDITY, UID) to skip what is already here.
 */
export const mailStoreFileName = 'messages.sqlite'

/** The message store's schema steps (store/sqlite.ts); step 1 is the table as first released. */
export const mailStoreMigrations: readonly Migration[] = [
  (db) =>
    db.exec(
      'CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, ref TEXT NOT NULL UNIQUE, fetched TEXT NOT NULL, meta BLOB NOT NULL, raw BLOB NOT NULL) STRICT',
    ),
]

export class MailStore {
  readonly path: string
  private readonly db: DatabaseSync
  private readonly key: Buffer
  constructor(profileDir: string, key: Buffer) {
    this.key = key
    mkdirSync(profileDir, { recursive: true, mode: 0o700 })
    this.path = join(profileDir, mailStoreFileName)
    try {
      this.db = openVersionedDatabase(this.path, mailStoreMigrations)
    } catch (error) {
      if (error instanceof SchemaTooNewError) {
        throw new SiegelpostError('STORE_NEWER_FORMAT', { path: this.path, found: error.found, known: error.known }, { cause: error })
      }
      throw new SiegelpostError('STORE_DAMAGED', { path: this.path, reason: (error as { code?: string }).code ?? 'SQLite' }, { cause: error })
    }
  }

  close(): void {
    this.db.close()
  }

  private ref(account: string, folder: string, uidValidity: string, uid: number): string {
    return createHmac('sha256', this.key).update(JSON.stringify([account, folder, uidValidity, uid])).digest('hex')
  }

  has(account: string, folder: string, uidValidity: string, uid: number): boolean {
    return this.db.prepare('SELECT 1 FROM messages WHERE ref = ?').get(this.ref(account, folder, uidValidity, uid)) !== undefined
  }

  add(account: string, folder: string, uidValidity: string, uid: number, raw: Buffer, fetched: Date): string | null {
    const ref = this.ref(account, folder, uidValidity, uid)
    const id = randomUUID()
    const result = this.db
      .prepare('INSERT OR IGNORE INTO messages (id, ref, fetched, meta, raw) VALUES (?, ?, ?, ?, ?)')
      .run(id, ref, fetched.toISOString(), sealJson(this.key, { account, folder, uidValidity, uid }, `siegelpost/messages/v1/${id}/meta`), sealBlob(this.key, raw, `siegelpost/messages/v1/${id}/raw`))
    return result.changes === 1 ? id : null
  }

  raw(id: string): Buffer | null {
    const row = this.db.prepare('SELECT raw FROM messages WHERE id = ?').get(id) as { raw: Uint8Array } | undefined
    return row ? openBlob(this.key, row.raw, `siegelpost/messages/v1/${id}/raw`) : null
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n
  }
}
