/**
 * The one table of user-visible errors: code → kind + German and English text with the fix.
 * `user`: the user can fix it (the text says how). `remote`: a server or peer misbehaved.
 * `bug`: our fault; the only kind that is a crash-report matter.
 * Placeholders `{name}` are filled from the error's params (never with secrets).
 */
export type ErrorKind = 'user' | 'remote' | 'bug'

interface ErrorEntry {
  readonly kind: ErrorKind
  readonly de: string
  readonly en: string
}

export const errorTable = {
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
  KEYCHAIN_UNAVAILABLE: {
    kind: 'user',
    de: 'Der Schlüsselbund des Systems ist nicht erreichbar. Starten Sie den Schlüsselbund (unter Linux gnome-keyring oder KWallet mit Secret Service) oder schützen Sie den Tresor stattdessen mit einem Passwort (Kommandozeile: --vault-passphrase-file).',
    en: "The system keychain cannot be reached. Start the keychain (on Linux gnome-keyring or KWallet with Secret Service) or protect the vault with a passphrase instead (command line: --vault-passphrase-file).",
  },
  KEYCHAIN_LOCKED: {
    kind: 'user',
    de: 'Der Schlüsselbund des Systems ist gesperrt. Entsperren Sie ihn (z. B. durch Anmelden) und versuchen Sie es erneut.',
    en: 'The system keychain is locked. Unlock it (for example by logging in) and try again.',
  },
  KEYCHAIN_FAILED: {
    kind: 'remote',
    de: 'Der Schlüsselbund des Systems hat einen Fehler gemeldet: {reason}. Versuchen Sie es erneut oder starten Sie den Schlüsselbund neu.',
    en: 'The system keychain reported an error: {reason}. Try again or restart the keychain.',
  },
  KEYCHAIN_KEY_MISSING: {
    kind: 'user',
    de: 'Der Tresor {path} ist da, aber sein Schlüssel fehlt im Schlüsselbund (Eintrag „Siegelpost“, „{account}“). Stellen Sie den Schlüsselbund aus Ihrer Sicherung wieder her; ein neuer Schlüssel würde den Tresor nicht öffnen.',
    en: 'The vault {path} exists but its key is missing from the keychain (entry "Siegelpost", "{account}"). Restore the keychain from your backup; a new key would not open the vault.',
  },
  VAULT_WRONG_KEY: {
    kind: 'user',
    de: 'Der Tresor {path} lässt sich mit diesem Schlüssel nicht öffnen. Ist es das richtige Passwort bzw. der richtige Schlüsselbund? Die Datei bleibt unverändert.',
    en: 'The vault {path} cannot be opened with this key. Is it the right passphrase or keychain? The file was left unchanged.',
  },
  VAULT_CORRUPT: {
    kind: 'user',
    de: 'Der Tresor {path} ist beschädigt oder unvollständig ({reason}). Er bleibt unverändert. Ersetzen Sie ihn durch die vorige Fassung {backup} oder durch Ihre Datensicherung.',
    en: 'The vault {path} is damaged or incomplete ({reason}). It was left unchanged. Replace it with the previous version {backup} or with your backup.',
  },
  VAULT_NEWER_FORMAT: {
    kind: 'user',
    de: 'Der Tresor {path} stammt von einer neueren Siegelpost-Version. Aktualisieren Sie Siegelpost.',
    en: 'The vault {path} was written by a newer Siegelpost. Update Siegelpost.',
  },
  VAULT_NEEDS_PASSPHRASE: {
    kind: 'user',
    de: 'Der Tresor {path} ist mit einem Passwort geschützt. Geben Sie es mit --vault-passphrase-file an.',
    en: 'The vault {path} is protected by a passphrase. Give it with --vault-passphrase-file.',
  },
  VAULT_NEEDS_KEYCHAIN: {
    kind: 'user',
    de: 'Der Tresor {path} ist mit dem Schlüsselbund des Systems geschützt, nicht mit einem Passwort. Lassen Sie --vault-passphrase-file weg.',
    en: 'The vault {path} is protected by the system keychain, not by a passphrase. Leave out --vault-passphrase-file.',
  },
  VAULT_MISSING_BACKUP_PRESENT: {
    kind: 'user',
    de: 'Der Tresor {path} fehlt, aber seine vorige Fassung {backup} ist da. Benennen Sie die Sicherung in {path} um, damit keine Schlüssel verloren gehen.',
    en: 'The vault {path} is missing but its previous version {backup} exists. Rename the backup to {path} so that no keys are lost.',
  },
  VAULT_WRITE_FAILED: {
    kind: 'user',
    de: 'Der Tresor {path} konnte nicht gespeichert werden ({reason}). Der vorige Stand ist erhalten. Prüfen Sie Speicherplatz und Zugriffsrechte.',
    en: 'The vault {path} could not be saved ({reason}). The previous state is kept. Check disk space and permissions.',
  },
  KEY_NOT_FOUND: {
    kind: 'user',
    de: 'Im Tresor gibt es keinen Schlüssel „{id}“. „siegelpost keys list“ zeigt IDs und Fingerabdrücke.',
    en: 'There is no key "{id}" in the vault. "siegelpost keys list" shows ids and fingerprints.',
  },
  KEY_AMBIGUOUS: {
    kind: 'user',
    de: '„{id}“ passt zu mehreren Schlüsseln. Geben Sie den vollständigen Fingerabdruck an.',
    en: '"{id}" matches several keys. Give the full fingerprint.',
  },
  KEY_FORMAT_UNKNOWN: {
    kind: 'user',
    de: 'Die Datei {path} enthält keinen Schlüssel und kein Zertifikat, das Siegelpost lesen kann. Erwartet: OpenPGP (.asc, .gpg, .pgp) oder S/MIME (.p12, .pfx, .pem, .crt, .cer, .der, .p7b).',
    en: 'The file {path} holds no key or certificate Siegelpost can read. Expected: OpenPGP (.asc, .gpg, .pgp) or S/MIME (.p12, .pfx, .pem, .crt, .cer, .der, .p7b).',
  },
  KEY_FINGERPRINT_MISMATCH: {
    kind: 'user',
    de: 'Der Fingerabdruck stimmt nicht mit dem Schlüssel {id} überein. Der Schlüssel bleibt unbestätigt – fragen Sie den Absender auf einem anderen Weg (z. B. telefonisch) erneut.',
    en: 'The fingerprint does not match key {id}. The key stays unconfirmed – ask its owner again over another channel (for example by phone).',
  },
  KEY_DELETE_NEEDS_CONFIRMATION: {
    kind: 'user',
    de: 'Löschen entfernt den Schlüssel {id} endgültig. Bestätigen Sie mit --yes.',
    en: 'Deleting removes the key {id} for good. Confirm with --yes.',
  },
  KEY_NO_SECRET: {
    kind: 'user',
    de: 'Zum Schlüssel {id} gibt es keinen privaten Schlüssel im Tresor; exportieren lässt sich nur der öffentliche Teil (--public).',
    en: 'The vault holds no private key for {id}; only the public part can be exported (--public).',
  },
  EXPORT_NEEDS_PASSPHRASE: {
    kind: 'user',
    de: 'Eine Sicherung des privaten Schlüssels wird immer mit einem Passwort geschützt. Geben Sie es mit --passphrase-file an.',
    en: 'A private key backup is always protected by a passphrase. Give it with --passphrase-file.',
  },
  USAGE_MISSING_OPTION: {
    kind: 'user',
    de: '„{command}“ braucht {option}. „siegelpost --help“ zeigt den Aufruf.',
    en: '"{command}" needs {option}. "siegelpost --help" shows the usage.',
  },
  // --- smime ---
  PASSWORD_WRONG: {
    kind: 'user',
    de: 'Das Kennwort ist falsch. Geben Sie das Kennwort an, mit dem die Datei geschützt wurde (--passphrase-file); es wurde nichts gespeichert.',
    en: 'The password is wrong. Give the password the file was protected with (--passphrase-file); nothing was stored.',
  },
  SMIME_NEEDS_PASSWORD: {
    kind: 'user',
    de: 'Die Datei {path} ist mit einem Kennwort geschützt. Geben Sie es mit --passphrase-file an.',
    en: 'The file {path} is password-protected. Give the password with --passphrase-file.',
  },
  SMIME_MALFORMED: {
    kind: 'user',
    de: 'Die Daten ({what}) sind beschädigt oder unvollständig ({reason}). Lassen Sie sich die Datei oder Nachricht erneut senden.',
    en: 'The data ({what}) is damaged or incomplete ({reason}). Ask for the file or message to be sent again.',
  },
  SMIME_UNSUPPORTED: {
    kind: 'user',
    de: 'Siegelpost kennt dieses Verfahren nicht: {what}. Bitten Sie den Absender um eine Datei mit aktuellen Verfahren (AES, SHA-256).',
    en: 'Siegelpost does not support this method: {what}. Ask the sender for a file using current methods (AES, SHA-256).',
  },
  SMIME_KEY_WITHOUT_CERTIFICATE: {
    kind: 'user',
    de: 'Die Datei enthält einen privaten Schlüssel ohne passendes Zertifikat. Exportieren Sie den Schlüssel zusammen mit seinem Zertifikat.',
    en: 'The file holds a private key without a matching certificate. Export the key together with its certificate.',
  },
  SMIME_EXPORT_FORMAT: {
    kind: 'user',
    de: 'Das Format „{format}“ passt nicht: {allowed}.',
    en: 'The format "{format}" does not fit: {allowed}.',
  },
  SMIME_NOT_A_CA: {
    kind: 'user',
    de: 'Das Zertifikat „{subject}“ ist kein Zertifizierungsstellen-Zertifikat und kann kein Vertrauensanker sein. Wählen Sie das Wurzelzertifikat Ihrer Zertifizierungsstelle.',
    en: 'The certificate "{subject}" is not a certification authority certificate and cannot be a trust anchor. Choose your CA\'s root certificate.',
  },
  SMIME_NO_CERTIFICATE: {
    kind: 'user',
    de: 'Die Datei {path} enthält kein Zertifikat. Erwartet: .pem, .crt, .cer, .der oder .p7b.',
    en: 'The file {path} holds no certificate. Expected: .pem, .crt, .cer, .der or .p7b.',
  },
  SMIME_DECRYPT_FAILED: {
    kind: 'user',
    de: 'Die Nachricht lässt sich mit Ihren Schlüsseln nicht entschlüsseln. Sie ist nicht an Sie verschlüsselt oder beschädigt; bitten Sie den Absender, sie erneut zu senden.',
    en: 'The message cannot be decrypted with your keys. It is not encrypted to you or it is damaged; ask the sender to send it again.',
  },
  SMIME_NO_SIGNING_KEY: {
    kind: 'user',
    de: 'Für {id} gibt es keinen privaten S/MIME-Schlüssel zum Signieren. Importieren Sie Ihre .p12-Datei.',
    en: 'There is no private S/MIME key for {id} to sign with. Import your .p12 file.',
  },
  SMIME_CSR_NEEDS_IDENTITY: {
    kind: 'user',
    de: '„keys csr --new“ braucht eine gültige E-Mail-Adresse bei --email, z. B. name@kanzlei.de.',
    en: '"keys csr --new" needs a valid e-mail address with --email, for example name@example.com.',
  },
  SMIME_BAD_DATE: {
    kind: 'user',
    de: 'Ungültiges Datum „{value}“. Erwartet wird ein ISO-Datum wie 2026-01-31T12:00:00Z.',
    en: 'Invalid date "{value}". Expected an ISO date such as 2026-01-31T12:00:00Z.',
  },
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
  INTERNAL: {
    kind: 'bug',
    de: 'Ein interner Fehler ist aufgetreten ({reason}). Bitte melden Sie ihn; Ihre Daten sind unverändert.',
    en: 'An internal error occurred ({reason}). Please report it; your data is unchanged.',
  },
} as const satisfies Record<string, ErrorEntry>

export type ErrorCode = keyof typeof errorTable
