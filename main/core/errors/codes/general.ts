import type { ErrorEntry } from './entry.ts'

/** Command line, files, profile and the last-resort internal error. */
export const generalCodes = {
  USAGE_UNKNOWN_COMMAND: {
    kind: 'user',
    de: 'Unbekannter Befehl „{command}“. „siegelpost --help“ zeigt alle Befehle.',
    en: 'Unknown command "{command}". "siegelpost --help" lists all commands.',
  },
  USAGE_UNKNOWN_OPTION: {
    kind: 'user',
    de: 'Unbekannte Option {option} für „{command}“. „siegelpost --help“ zeigt die gültigen Optionen.',
    en: 'Unknown option {option} for "{command}". "siegelpost --help" lists the valid options.',
  },
  USAGE_MISSING_VALUE: {
    kind: 'user',
    de: 'Die Option {option} braucht einen Wert, z. B. {option} DATEI.',
    en: 'The option {option} needs a value, for example {option} FILE.',
  },
  USAGE_UNEXPECTED_ARGUMENT: {
    kind: 'user',
    de: 'Unerwartetes Argument „{argument}“ für „{command}“. „siegelpost --help“ zeigt den Aufruf.',
    en: 'Unexpected argument "{argument}" for "{command}". "siegelpost --help" shows the usage.',
  },
  USAGE_MISSING_COMMAND: {
    kind: 'user',
    de: 'Welcher Befehl? „siegelpost --help“ zeigt alle Befehle.',
    en: 'Which command? "siegelpost --help" lists all commands.',
  },
  USAGE_BAD_VALUE: {
    kind: 'user',
    de: 'Ungültiger Wert „{value}“ für {option}: erlaubt sind {allowed}.',
    en: 'Invalid value "{value}" for {option}: allowed are {allowed}.',
  },
  FILE_NOT_FOUND: {
    kind: 'user',
    de: 'Die Datei {path} gibt es nicht. Prüfen Sie den Pfad.',
    en: 'The file {path} does not exist. Check the path.',
  },
  FILE_UNREADABLE: {
    kind: 'user',
    de: 'Die Datei {path} lässt sich nicht lesen ({reason}). Prüfen Sie die Zugriffsrechte.',
    en: 'The file {path} cannot be read ({reason}). Check its permissions.',
  },
  FILE_UNWRITABLE: {
    kind: 'user',
    de: 'Die Datei {path} lässt sich nicht schreiben ({reason}). Prüfen Sie, ob der Ordner existiert, beschreibbar ist und genug Platz hat.',
    en: 'The file {path} cannot be written ({reason}). Check that the folder exists, is writable and has enough space.',
  },
  FILE_TOO_LARGE: {
    kind: 'user',
    de: 'Die Datei {path} ist größer als erlaubt ({limit}). Wählen Sie die richtige Datei.',
    en: 'The file {path} is larger than allowed ({limit}). Choose the right file.',
  },
  SECRET_FILE_EMPTY: {
    kind: 'user',
    de: 'Die Passwortdatei {path} ist leer. Schreiben Sie das Passwort in die erste Zeile.',
    en: 'The password file {path} is empty. Put the password on its first line.',
  },
  PROFILE_UNUSABLE: {
    kind: 'user',
    de: 'Der Profilordner {path} ist nicht nutzbar ({reason}). Wählen Sie mit --profile einen beschreibbaren Ordner.',
    en: 'The profile folder {path} cannot be used ({reason}). Choose a writable folder with --profile.',
  },
  USAGE_MISSING_OPTION: {
    kind: 'user',
    de: '„{command}“ braucht {option}. „siegelpost --help“ zeigt den Aufruf.',
    en: '"{command}" needs {option}. "siegelpost --help" shows the usage.',
  },
  INTERNAL: {
    kind: 'bug',
    de: 'Ein interner Fehler ist aufgetreten ({reason}). Bitte melden Sie ihn; Ihre Daten sind unverändert.',
    en: 'An internal error occurred ({reason}). Please report it; your data is unchanged.',
  },
} as const satisfies Record<string, ErrorEntry>
