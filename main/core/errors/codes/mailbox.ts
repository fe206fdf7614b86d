import type { ErrorEntry } from './entry.ts'

/** The local mailbox (synced IMAP folders) and the actions that are written to the server first. */
export const mailboxCodes = {
  MAIL_NOT_FOUND: {
    kind: 'user',
    de: 'Es gibt keine gespeicherte Nachricht {id}. „siegelpost mail list“ zeigt die Nachrichten mit ihren Kennungen.',
    en: 'There is no stored message {id}. "siegelpost mail list" shows the messages with their ids.',
  },
  MAILBOX_OFFLINE: {
    kind: 'remote',
    de: 'Der Server {host}:{port} ist nicht erreichbar ({detail}); „{action}“ braucht ihn und wurde nicht ausgeführt. Die gespeicherten Nachrichten bleiben lesbar. Versuchen Sie es erneut, sobald die Verbindung steht.',
    en: 'The server {host}:{port} cannot be reached ({detail}); "{action}" needs it and was not done. Stored messages stay readable. Try again once the connection is back.',
  },
  MAILBOX_FOLDER_NOT_FOUND: {
    kind: 'user',
    de: 'Den Ordner „{folder}“ gibt es auf dem Server nicht. „siegelpost fetch --account NAME --list-folders“ zeigt die Ordner.',
    en: 'The folder "{folder}" does not exist on the server. "siegelpost fetch --account NAME --list-folders" shows the folders.',
  },
  MAILBOX_STALE: {
    kind: 'user',
    de: 'Die Nachricht {id} hat sich auf dem Server geändert (verschoben, gelöscht oder der Ordner wurde neu angelegt); nichts wurde geändert. Rufen Sie den Ordner neu ab (fetch) und versuchen Sie es erneut.',
    en: 'The message {id} changed on the server (moved, deleted, or the folder was recreated); nothing was changed. Fetch the folder again and retry.',
  },
  MAILBOX_ACTION_FAILED: {
    kind: 'remote',
    de: 'Der Server hat „{action}“ für die Nachricht {id} abgelehnt ({detail}); lokal wurde nichts geändert.',
    en: 'The server refused "{action}" for message {id} ({detail}); nothing was changed locally.',
  },
  MAILBOX_SYNC_INTERRUPTED: {
    kind: 'remote',
    de: 'Der Abruf von „{folder}“ wurde unterbrochen ({detail}). {stored} Nachricht(en) sind schon gespeichert; der nächste Abruf setzt dort fort.',
    en: 'Fetching "{folder}" was interrupted ({detail}). {stored} message(s) are stored already; the next fetch continues from there.',
  },
} as const satisfies Record<string, ErrorEntry>
