import type { ErrorEntry } from './entry.ts'

/** The password container (AES-256 PDF) and client passwords. */
export const containerCodes = {
  CONTAINER_TOO_LARGE: {
    kind: 'user',
    de: 'Die Anhänge sind zusammen {size} groß; ein Passwort-PDF darf höchstens {limit} enthalten. Teilen Sie die Dateien auf mehrere Nachrichten auf.',
    en: 'The attachments add up to {size}; a password PDF may hold at most {limit}. Split the files across several messages.',
  },
  CONTAINER_FAILED: {
    kind: 'bug',
    de: 'Das Passwort-PDF konnte nicht erstellt werden ({reason}). Es wurde nichts gesendet; versuchen Sie es erneut.',
    en: 'The password PDF could not be built ({reason}). Nothing was sent; try again.',
  },
  CONTAINER_WRONG_PASSWORD: {
    kind: 'user',
    de: 'Das Passwort öffnet dieses PDF nicht. Prüfen Sie das Passwort (Groß-/Kleinschreibung, Bindestriche) oder fragen Sie beim Absender nach.',
    en: 'The password does not open this PDF. Check the password (case, hyphens) or ask the sender.',
  },
  CONTAINER_UNREADABLE: {
    kind: 'user',
    de: 'Das Passwort-PDF lässt sich nicht lesen ({reason}). Bitten Sie den Absender, es erneut zu senden.',
    en: 'The password PDF cannot be read ({reason}). Ask the sender to send it again.',
  },
  CONTAINER_NOT_SIEGELPOST: {
    kind: 'user',
    de: 'Dieses PDF ist kein Siegelpost-Passwort-PDF. Öffnen Sie es mit Ihrem gewohnten PDF-Programm.',
    en: 'This PDF is not a Siegelpost password PDF. Open it with your usual PDF reader.',
  },
  PASSWORD_TOO_WEAK: {
    kind: 'user',
    de: 'Dieses Passwort ist zu schwach für ein dauerhaftes Mandantenpasswort ({why}). Wählen Sie mindestens 12 Zeichen ohne Geburtsdaten oder Wiederholungen, oder lassen Sie Siegelpost je Nachricht ein Passwort erzeugen.',
    en: 'This password is too weak for a standing client password ({why}). Choose at least 12 characters without birthdates or repetitions, or let Siegelpost generate one per message.',
  },
} as const satisfies Record<string, ErrorEntry>
