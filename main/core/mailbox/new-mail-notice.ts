import type { EnvelopeRow } from './mail-store-schema.ts'
import { isUnread } from './folder-summary.ts'

/**
 * The words of the OS notification for new mail. They name no subject and no sender — of any mail, not
 * only of protected ones: a notification shows on a locked screen, in the OS's notification history and
 * to whoever looks at the screen, and the subject and sender of a tax office's mail are already
 * confidential (who writes to whom). Only the count, whether they are encrypted, and the account.
 * The counts are all the builder gets, so no caller can hand it a subject by mistake.
 */
export interface NewMailCounts {
  /** New unread messages. */
  count: number
  /** Of those, the ones whose outer header says encrypted. */
  encrypted: number
}

export type NoticeLang = 'de' | 'en'

/** Counts new unread rows (read ones — already seen in another program — are not news). */
export function newMailCounts(rows: readonly Pick<EnvelopeRow, 'flags' | 'protection'>[]): NewMailCounts {
  const unread = rows.filter(isUnread)
  return { count: unread.length, encrypted: unread.filter((row) => row.protection.encryption === 'encrypted').length }
}

const words = {
  de: {
    title: 'Siegelpost – {account}',
    oneEncrypted: 'Neue verschlüsselte Nachricht',
    one: 'Neue Nachricht',
    allEncrypted: '{count} neue verschlüsselte Nachrichten',
    many: '{count} neue Nachrichten',
    manySomeEncrypted: '{count} neue Nachrichten, davon {encrypted} verschlüsselt',
  },
  en: {
    title: 'Siegelpost – {account}',
    oneEncrypted: 'New encrypted message',
    one: 'New message',
    allEncrypted: '{count} new encrypted messages',
    many: '{count} new messages',
    manySomeEncrypted: '{count} new messages, {encrypted} of them encrypted',
  },
} as const

const fill = (text: string, params: Record<string, string | number>) =>
  text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole))

/** The notification's title and body, or null when there is nothing new to tell. */
export function newMailNotice(
  counts: NewMailCounts,
  account: string,
  lang: NoticeLang,
): { title: string; body: string } | null {
  const { count, encrypted } = counts
  if (count <= 0) return null
  const w = words[lang]
  const body =
    count === 1
      ? encrypted === 1
        ? w.oneEncrypted
        : w.one
      : encrypted === count
        ? w.allEncrypted
        : encrypted > 0
          ? w.manySomeEncrypted
          : w.many
  const number = count.toLocaleString(lang === 'de' ? 'de-DE' : 'en-GB')
  return { title: fill(w.title, { account }), body: fill(body, { count: number, encrypted }) }
}
