import type { DatabaseSync } from 'node:sqlite'
import { openJson, sealJson } from '../store/sealed-blob.ts'
import type { FolderState } from './mail-store-schema.ts'

/**
 * A folder's sync state in the message store (the `folders` table, sealed per folder) and the rows a new
 * UIDVALIDITY left behind. `box` is the store's keyed hash of account and folder.
 */
const context = (box: string) => `siegelpost/folders/v1/${box}`

export function readFolderState(db: DatabaseSync, key: Buffer, box: string): FolderState | null {
  const row = db.prepare('SELECT state FROM folders WHERE box = ?').get(box) as { state: Uint8Array } | undefined
  return row ? (openJson(key, row.state, context(box)) as FolderState | null) : null
}

export function writeFolderState(db: DatabaseSync, key: Buffer, box: string, state: FolderState): void {
  db.prepare('INSERT OR REPLACE INTO folders (box, state) VALUES (?, ?)').run(box, sealJson(key, state, context(box)))
}

/**
 * Rows of a folder stored under another UIDVALIDITY, by the keyed digest of their bytes (to be matched to the
 * re-numbered messages). A digest not stored yet is computed from the unsealed message and kept.
 */
export function staleRows(
  db: DatabaseSync,
  box: string,
  uidValidity: string,
  raw: (id: string) => Buffer | null,
  digestOf: (raw: Uint8Array) => string,
): Map<string, string[]> {
  const rows = db.prepare('SELECT id, digest FROM messages WHERE box = ? AND validity != ?').all(box, uidValidity) as {
    id: string
    digest: string | null
  }[]
  const out = new Map<string, string[]>()
  const save = db.prepare('UPDATE messages SET digest = ? WHERE id = ?')
  for (const row of rows) {
    let digest = row.digest
    if (digest === null) {
      const bytes = raw(row.id)
      if (!bytes) continue
      save.run((digest = digestOf(bytes)), row.id)
    }
    out.set(digest, [...(out.get(digest) ?? []), row.id])
  }
  return out
}
