import type { ErrorEntry } from './entry.ts'

/** Reading mail in the app: opening a message file, attachments. */
export const readingCodes = {
  READING_SOURCE_NOT_READY: {
    kind: 'user',
    de: 'Gespeicherte Nachrichten lassen sich hier noch nicht öffnen. Öffnen Sie die Nachricht als .eml-Datei.',
    en: 'Stored messages cannot be opened here yet. Open the message as an .eml file.',
  },
  READING_GONE: {
    kind: 'user',
    de: 'Die Nachricht ist nicht mehr geöffnet. Öffnen Sie sie erneut.',
    en: 'The message is no longer open. Open it again.',
  },
  READING_NOT_A_MESSAGE: {
    kind: 'user',
    de: 'Die Datei „{file}“ ist keine lesbare E-Mail-Nachricht. Wählen Sie eine .eml-Datei.',
    en: 'The file "{file}" is not a readable e-mail message. Choose an .eml file.',
  },
  READING_ATTACHMENT_UNKNOWN: {
    kind: 'bug',
    de: 'Diesen Anhang gibt es in der Nachricht nicht.',
    en: 'The message has no such attachment.',
  },
  READING_SAVE_FAILED: {
    kind: 'user',
    de: 'Der Anhang konnte nicht unter „{file}“ gespeichert werden ({reason}). Wählen Sie einen anderen Ordner.',
    en: 'The attachment could not be saved as "{file}" ({reason}). Choose another folder.',
  },
  READING_NOT_SAVED: {
    kind: 'user',
    de: 'Speichern Sie den Anhang zuerst; geöffnet wird nur eine gespeicherte Datei.',
    en: 'Save the attachment first; only a saved file is opened.',
  },
  READING_EXPORT_FAILED: {
    kind: 'user',
    de: 'Die Datei konnte nicht unter „{file}“ gespeichert werden ({reason}). Wählen Sie einen anderen Ordner.',
    en: 'The file could not be saved as "{file}" ({reason}). Choose another folder.',
  },
  READING_PRINT_UNAVAILABLE: {
    kind: 'user',
    de: 'Drucken ist hier nicht möglich. Exportieren Sie die Nachricht als PDF und drucken Sie diese Datei.',
    en: 'Printing is not possible here. Export the message as a PDF and print that file.',
  },
} as const satisfies Record<string, ErrorEntry>
