import { limits } from '../limits.ts'
import type { EnvelopeRow, ListPage, ListSort, PageQuery } from './mail-store-schema.ts'

/**
 * Search and order of the message list: over From, To, Cc, the subject and the protected subject, in
 * memory (the rows are opened from their sealed form; nothing is decrypted to disk).
 */

/** The searchable text of a row, lower-cased once per row version (rows are replaced, never changed). */
const haystacks = new WeakMap<EnvelopeRow, string>()

export function matches(row: EnvelopeRow, needle: string): boolean {
  let hay = haystacks.get(row)
  if (hay === undefined)
    haystacks.set(
      row,
      (hay = [row.from, ...row.to, ...row.cc, row.subject, row.protectedSubject ?? ''].join('\u0000').toLowerCase()),
    )
  return hay.includes(needle)
}

/** Newest first by Date, then by UID (the server's arrival order) for equal dates. */
export function byNewest(a: EnvelopeRow, b: EnvelopeRow): number {
  return a.date === b.date ? b.uid - a.uid : a.date < b.date ? 1 : -1
}

/**
 * The window `query` asks for of `matched` (rows newest first), in the query's order, with where `query.find`
 * is. `all` is the number of rows before the search. At most `limits.mailboxListPageMaxRows` rows.
 */
export function windowOf(matched: readonly EnvelopeRow[], all: number, query: PageQuery): ListPage {
  const total = matched.length
  const sort: ListSort = query.sort ?? 'newest'
  const at = (i: number) => (sort === 'newest' ? i : total - 1 - i)
  const offset = Math.max(0, Math.min(query.offset ?? 0, total))
  const limit = Math.max(0, Math.min(query.limit ?? limits.mailboxListPageMaxRows, limits.mailboxListPageMaxRows))
  const rows: EnvelopeRow[] = []
  for (let i = offset; i < Math.min(total, offset + limit); i++) rows.push(matched[at(i)]!)
  let foundAt: number | null = null
  if (query.find !== undefined) {
    const index = matched.findIndex((row) => row.id === query.find)
    if (index >= 0) foundAt = at(index)
  }
  return { rows, offset, total, all, sort, foundAt }
}
