import { readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { DatabaseSync } from 'node:sqlite'
import { openBlob, openJson } from '../store/sealed-blob.ts'
import { sealContext as ctx, type EnvelopeRow } from './mail-store-schema.ts'

/**
 * What the store does once when it opens: rows of schema step 1 get their step-2 columns, and sealed
 * message files a crash left without a row are removed.
 */
export interface UpkeepHelpers {
  box: (account: string, folder: string) => string
  digestOf: (raw: Uint8Array) => string
  seal: (row: EnvelopeRow) => Buffer
  row: (
    id: string,
    account: string,
    folder: string,
    uidValidity: string,
    uid: number,
    raw: Uint8Array,
    fetched: Date,
  ) => EnvelopeRow
  transaction: (fn: () => void) => void
}

/** Rows written before schema step 2 get box, uid, digest and an envelope (decrypted in memory only). */
export function completeOldRows(db: DatabaseSync, key: Buffer, helpers: UpkeepHelpers): void {
  const old = db.prepare('SELECT id, fetched, meta, raw FROM messages WHERE envelope IS NULL').all() as {
    id: string
    fetched: string
    meta: Uint8Array
    raw: Uint8Array
  }[]
  if (old.length === 0) return
  const update = db.prepare('UPDATE messages SET box = ?, validity = ?, uid = ?, digest = ?, envelope = ? WHERE id = ?')
  helpers.transaction(() => {
    for (const row of old) {
      const meta = openJson(key, row.meta, ctx(row.id, 'meta')) as {
        account: string
        folder: string
        uidValidity: string
        uid: number
      } | null
      const raw = openBlob(key, row.raw, ctx(row.id, 'raw'))
      if (!meta || !raw) continue
      const envelope = helpers.row(
        row.id,
        meta.account,
        meta.folder,
        meta.uidValidity,
        meta.uid,
        raw,
        new Date(row.fetched),
      )
      update.run(
        helpers.box(meta.account, meta.folder),
        meta.uidValidity,
        meta.uid,
        helpers.digestOf(raw),
        helpers.seal(envelope),
        row.id,
      )
    }
  })
}

/** Sealed message files without a committed row, older than an hour (a crash between file and row). */
export function removeOrphanFiles(db: DatabaseSync, filesDir: string): void {
  let names: string[]
  try {
    names = readdirSync(filesDir)
  } catch {
    return
  }
  const has = db.prepare('SELECT 1 FROM messages WHERE id = ? AND rawfile = 1')
  // Another process (the app while the CLI runs) may be between writing a file and committing its row:
  // only files older than an hour without a row are leftovers of a crash.
  const before = Date.now() - 3600_000
  for (const name of names) {
    const path = join(filesDir, name)
    const id = name.replace(/\.sealed(\.tmp)?$/, '')
    if (has.get(id) !== undefined && !name.endsWith('.tmp')) continue
    try {
      if (statSync(path).mtimeMs < before) rmSync(path, { force: true })
    } catch {
      // Gone meanwhile.
    }
  }
}
