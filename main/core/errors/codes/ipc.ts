import type { ErrorEntry } from './entry.ts'

/** The IPC boundary between renderer and main. */
export const ipcCodes = {
  IPC_UNTRUSTED_SENDER: {
    kind: 'bug',
    de: 'Anfrage abgelehnt: Sie kam nicht aus dem Hauptfenster von Siegelpost.',
    en: 'Request refused: it did not come from the Siegelpost main window.',
  },
  IPC_BAD_REQUEST: {
    kind: 'bug',
    de: 'Anfrage abgelehnt: ungültige Daten für {channel}.',
    en: 'Request refused: invalid data for {channel}.',
  },
  IPC_UNKNOWN_CHANNEL: {
    kind: 'bug',
    de: 'Anfrage abgelehnt: unbekannter Kanal {channel}.',
    en: 'Request refused: unknown channel {channel}.',
  },
} as const satisfies Record<string, ErrorEntry>
