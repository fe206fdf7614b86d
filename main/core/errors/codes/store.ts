import type { ErrorEntry } from './entry.ts'

/** The local SQLite stores (messages, drafts) and their schema versions. */
export const storeCodes = {
  STORE_DAMAGED: {
    kind: 'user',
    de: 'Der lokale Nachrichtenspeicher {path} lässt sich nicht lesen ({reason}). Stellen Sie ihn aus einer Sicherung wieder her oder rufen Sie die Nachrichten neu ab.',
    en: 'The local message store {path} cannot be read ({reason}). Restore it from a backup or fetch the messages again.',
  },
  STORE_NEWER_FORMAT: {
    kind: 'user',
    de: 'Die Datei {path} stammt von einer neueren Siegelpost-Version (Schema {found}, diese Version kennt {known}). Installieren Sie die neuere Version.',
    en: 'The file {path} was written by a newer Siegelpost (schema {found}, this version knows {known}). Install the newer version.',
  },
} as const satisfies Record<string, ErrorEntry>
