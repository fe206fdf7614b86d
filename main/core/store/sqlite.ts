import { DatabaseSync } from 'node:sqlite'
import { SiegelpostError } from '../errors/index.ts'
import { isBusy } from './busy.ts'

/**
 * One schema step: migration N (1-based) takes a database at `user_version` N-1 to N. Steps never change
 * once released; a new column or table is a new step at the end of the list.
 */
export type Migration = (db: DatabaseSync) => void

/**
 * Opens (or creates) a SQLite file with the settings every store here uses (WAL, full sync, a busy
 * timeout for a second process) and brings its schema to `migrations.length` with `PRAGMA user_version`.
 * Each step runs in its own transaction together with the version bump, so a crash leaves the file at
 * the last complete version. A file newer than this program refuses to open (`newer` in the error).
 * `pageSize` (bytes, a power of two from 512 to 65536) is the page size of a file created now; an existing file keeps
 * its own (SQLite changes it only by rewriting the file).
 */
export function openVersionedDatabase(
  path: string,
  migrations: readonly Migration[],
  options: { pageSize?: number } = {},
): DatabaseSync {
  const db = new DatabaseSync(path)
  try {
    db.exec('PRAGMA busy_timeout = 15000')
    // Before anything is written (WAL mode writes the file's header): SQLite ignores it for an existing file.
    if (options.pageSize !== undefined) db.exec(`PRAGMA page_size = ${Math.trunc(options.pageSize)}`)
    db.exec('PRAGMA journal_mode = WAL')
    db.exec('PRAGMA synchronous = FULL')
    migrate(db, migrations)
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

/**
 * `openVersionedDatabase` for a store the user sees: a file of a newer program is `STORE_NEWER_FORMAT`, any
 * other failure to open or migrate is the store's own "damaged" code, both naming the file.
 */
export function openStoreDatabase(
  path: string,
  migrations: readonly Migration[],
  damaged: 'STORE_DAMAGED' | 'OUTBOX_DAMAGED',
  options: { pageSize?: number } = {},
): DatabaseSync {
  try {
    return openVersionedDatabase(path, migrations, options)
  } catch (error) {
    if (error instanceof SchemaTooNewError)
      throw new SiegelpostError(
        'STORE_NEWER_FORMAT',
        { path, found: error.found, known: error.known },
        { cause: error },
      )
    // Another process held the write lock through the whole busy timeout (a migration step waits for it).
    if (isBusy(error)) throw new SiegelpostError('STORE_BUSY', { path }, { cause: error })
    throw new SiegelpostError(
      damaged,
      { path, reason: (error as { code?: string }).code ?? 'SQLite' },
      { cause: error },
    )
  }
}

export function schemaVersion(db: DatabaseSync): number {
  return (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version
}

export class SchemaTooNewError extends Error {
  readonly found: number
  readonly known: number
  constructor(found: number, known: number) {
    super(`database schema ${found} is newer than this program (${known})`)
    this.found = found
    this.known = known
  }
}

export function migrate(db: DatabaseSync, migrations: readonly Migration[]): void {
  const found = schemaVersion(db)
  if (found > migrations.length) throw new SchemaTooNewError(found, migrations.length)
  for (let version = found + 1; version <= migrations.length; version++) {
    db.exec('BEGIN IMMEDIATE')
    try {
      // Another process may have migrated while we waited for the write lock.
      if (schemaVersion(db) >= version) {
        db.exec('COMMIT')
        continue
      }
      migrations[version - 1]!(db)
      db.exec(`PRAGMA user_version = ${version}`)
      db.exec('COMMIT')
    } catch (error) {
      db.exec('ROLLBACK')
      throw error
    }
  }
}
