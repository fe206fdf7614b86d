import type { EnvelopeRow } from './mail-store-schema.ts'

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
