import type { ErrorEntry } from './entry.ts'

/** The local SQLite stores (messages, drafts) and their schema versions. */
export const storeCodes = {
  STORE_DAMAGED: {
    kind: 'user',
    de: 'Der lokale Nachrichtenspeicher {path} lässt sich nicht lesen ({reason}). Stellen Sie ihn aus einer Sicherung wieder her oder rufen Sie die Nachrichten neu ab.',
    en: 'The local message store {path} cannot be read ({reason}). Restore it from a backup or fetch the messages again.',
  },
  STORE_BUSY: {
    kind: 'user',
    de: 'Der lokale Nachrichtenspeicher {path} ist gerade durch einen anderen Vorgang belegt (etwa einen Abruf über die Kommandozeile); die Änderung wurde nicht gespeichert. Versuchen Sie es in einigen Sekunden erneut.',
    en: 'The local message store {path} is busy with another process (such as a fetch on the command line); the change was not saved. Try again in a few seconds.',
  },
  STORE_BUSY_SERVER_DONE: {
    kind: 'user',
    de: 'Der Server hat „{action}“ für die Nachricht {id} ausgeführt, aber der lokale Nachrichtenspeicher {path} war zu lange durch einen anderen Vorgang belegt (etwa einen Abruf über die Kommandozeile). Die Liste zeigt die Änderung nach dem nächsten Abruf; Sie müssen nichts wiederholen.',
    en: 'The server carried out "{action}" for message {id}, but the local message store {path} was busy with another process (such as a fetch on the command line) for too long. The list shows the change after the next fetch; there is nothing to repeat.',
  },
  STORE_NEWER_FORMAT: {
    kind: 'user',
    de: 'Die Datei {path} stammt von einer neueren Siegelpost-Version (Schema {found}, diese Version kennt {known}). Installieren Sie die neuere Version.',
    en: 'The file {path} was written by a newer Siegelpost (schema {found}, this version knows {known}). Install the newer version.',
  },
} as const satisfies Record<string, ErrorEntry>
