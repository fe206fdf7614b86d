import { byNewest, matches } from './mail-search.ts'
import type { EnvelopeRow } from './mail-store-schema.ts'

/**
 * The store's sorted lists in memory: per (account, folder) the rows newest first, kept while the store's
 * version (its writes and SQLite's data_version) stays the same, and the last search over one of them (a
 * scrolling window asks for several pages of the same search). Rows are shared: read only.
 */
export class ListCache {
  private readonly sorted = new Map<string, { version: string; rows: EnvelopeRow[] }>()
  private searched: { base: EnvelopeRow[]; needle: string; rows: EnvelopeRow[] } | null = null

  /** The rows under `key` at `version`, from `load` (filtered to the key, then sorted) when not kept. */
  rows(key: string, version: string, load: () => EnvelopeRow[]): EnvelopeRow[] {
    let base = this.sorted.get(key)
    if (base?.version !== version) {
      const picked = load().sort(byNewest)
      if (this.sorted.size > 16) this.sorted.clear()
      this.sorted.set(key, (base = { version, rows: picked }))
    }
    return base.rows
  }

  /**
   * `row` changed without moving in the order (its flags): lists kept at version `before` take it in place
   * and count as current at `after`. Nothing changes when another connection wrote in between (the data
   * version differs then, and those lists are read again).
   */
  replace(before: string, after: string, row: EnvelopeRow): void {
    if (before.split(':')[1] !== after.split(':')[1]) return
    for (const list of this.sorted.values()) {
      if (list.version !== before) continue
      const at = list.rows.findIndex((r) => r.id === row.id)
      if (at >= 0) list.rows = list.rows.with(at, row)
      list.version = after
    }
    this.searched = null
  }

  /** The rows of `base` whose addresses or subjects contain `needle` (lower case), in `base`'s order. */
  matching(base: EnvelopeRow[], needle: string): EnvelopeRow[] {
    if (this.searched?.base !== base || this.searched.needle !== needle)
      this.searched = { base, needle, rows: base.filter((row) => matches(row, needle)) }
    return this.searched.rows
  }
}
