import type { ConsentView, WeakPasswordReasonView } from '../../../preload/contract'
import type { Lang, MessageKey } from '../i18n'

/** The register's words for each agreed channel (UI.md §3.3–3.4). */
export const channelKey: Record<ConsentView['channel'], MessageKey> = {
  e2e: 'clients.channel.e2e',
  container: 'clients.channel.container',
  tls: 'clients.channel.tls',
  plain: 'clients.channel.plain',
}
export const channelHintKey: Record<ConsentView['channel'], MessageKey> = {
  e2e: 'clients.channel.e2e.hint',
  container: 'clients.channel.container.hint',
  tls: 'clients.channel.tls.hint',
  plain: 'clients.channel.plain.hint',
}
/** A text badge, so colour is never the only sign: PDF for the password PDF, TLS for transport only. */
export const channelBadge: Record<ConsentView['channel'], string> = {
  e2e: 'E2E',
  container: 'PDF',
  tls: 'TLS',
  plain: '!',
}

export const transmittedKey: Record<NonNullable<ConsentView['transmitted']>, MessageKey> = {
  post: 'clients.transmitted.post',
  phone: 'clients.transmitted.phone',
  'in-person': 'clients.transmitted.inPerson',
}

/** Why the core refused a standing password, in words. */
export const weakReasonKey: Record<WeakPasswordReasonView, MessageKey> = {
  'too-short': 'clients.password.tooShort',
  'too-weak': 'clients.password.tooWeak',
  'contains-date': 'clients.password.containsDate',
  repetitive: 'clients.password.repetitive',
}

/** When an entry was recorded, to the minute (two changes on one day stay apart), in the office's time. */
export function recordedAt(iso: string, lang: Lang): string {
  return new Date(iso).toLocaleString(lang === 'de' ? 'de-DE' : 'en-GB', {
    timeZone: 'Europe/Berlin',
    dateStyle: 'medium',
    timeStyle: 'short',
  })
}

/**
 * A day the user entered as a date (expiry, handover): the core keeps a bare date as the end of that day in
 * UTC, so it is shown in UTC — in Berlin time "through 31 Dec" would read as 1 Jan.
 */
export function dateOnly(iso: string, lang: Lang): string {
  return new Date(iso).toLocaleDateString(lang === 'de' ? 'de-DE' : 'en-GB', { timeZone: 'UTC', dateStyle: 'medium' })
}

export const isExpired = (consent: ConsentView, now: Date) =>
  consent.expires !== null && new Date(consent.expires).getTime() <= now.getTime()

export interface ClientEntry {
  target: string
  /** The entry that applies now (null when every entry was superseded, which the register does not do). */
  current: ConsentView | null
  /** Every entry of this client, newest first. */
  history: ConsentView[]
}

/** The register grouped per address or domain, sorted by name. */
export function groupByClient(consents: readonly ConsentView[]): ClientEntry[] {
  const byTarget = new Map<string, ConsentView[]>()
  for (const consent of consents) byTarget.set(consent.address, [...(byTarget.get(consent.address) ?? []), consent])
  return [...byTarget]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([target, entries]) => {
      const history = [...entries].reverse()
      return { target, current: history.find((c) => c.current) ?? null, history }
    })
}

/** Search over the address or domain, the channel's words, who recorded it and the note. */
export function matchesSearch(entry: ClientEntry, query: string, label: (c: ConsentView) => string): boolean {
  const q = query.trim().toLowerCase()
  if (q === '') return true
  const c = entry.current
  return [entry.target, c ? label(c) : '', c?.by ?? '', c?.note ?? ''].some((text) => text.toLowerCase().includes(q))
}
