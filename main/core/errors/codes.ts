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
  KEY_TEXT_UNKNOWN: {
    kind: 'user',
    de: 'Im eingefügten Text steht kein Schlüssel und kein Zertifikat, das Siegelpost lesen kann. Fügen Sie den ganzen Block von „-----BEGIN …-----“ bis „-----END …-----“ ein.',
    en: 'The pasted text holds no key or certificate Siegelpost can read. Paste the whole block from "-----BEGIN …-----" to "-----END …-----".',
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
  KEY_PASSPHRASE_REQUIRED: {
    kind: 'user',
    de: 'Die Datei {path} ist mit einem Passwort geschützt. Geben Sie das Passwort an, das Sie mit der Datei erhalten oder beim Sichern vergeben haben (Kommandozeile: --passphrase-file).',
    en: 'The file {path} is protected by a password. Give the password you received with the file or chose when you backed it up (command line: --passphrase-file).',
  },
  KEY_PASSPHRASE_WRONG: {
    kind: 'user',
    de: 'Das Kennwort ist falsch. Prüfen Sie Groß- und Kleinschreibung und versuchen Sie es erneut; es wurde nichts gespeichert.',
    en: 'The password is wrong. Check upper and lower case and try again; nothing was stored.',
  },
  BACKUP_SESSION_UNKNOWN: {
    kind: 'user',
    de: 'Diese Sicherung wurde abgebrochen oder ist abgelaufen. Beginnen Sie die Sicherung neu; es wird ein neuer Wiederherstellungscode erzeugt.',
    en: 'This backup was cancelled or has expired. Start the backup again; a new recovery code will be made.',
  },
  BACKUP_CODE_MISMATCH: {
    kind: 'user',
    de: 'Der eingegebene Code stimmt nicht mit dem angezeigten Wiederherstellungscode überein. Prüfen Sie Ihre Notiz und geben Sie ihn erneut ein.',
    en: 'The code you typed does not match the recovery code shown. Check your note and type it again.',
  },
  KEY_NO_REVOCATION: {
    kind: 'user',
    de: 'Für {id} gibt es kein Widerrufszertifikat: S/MIME-Zertifikate widerruft die Zertifizierungsstelle. Wenden Sie sich an sie.',
    en: 'There is no revocation certificate for {id}: S/MIME certificates are revoked by the certificate authority. Contact it.',
  },
  USAGE_MISSING_OPTION: {
    kind: 'user',
    de: '„{command}“ braucht {option}. „siegelpost --help“ zeigt den Aufruf.',
    en: '"{command}" needs {option}. "siegelpost --help" shows the usage.',
  },
  // --- openpgp + mime + message ---
  OPENPGP_KEY_UNREADABLE: {
    kind: 'user',
    de: 'Die Datei {file} enthält keinen lesbaren OpenPGP-Schlüssel. Ist sie vollständig? Lassen Sie sie sich gegebenenfalls erneut schicken.',
    en: 'The file {file} holds no readable OpenPGP key. Is it complete? If not, ask for it again.',
  },
  OPENPGP_EXPORT_FORMAT: {
    kind: 'user',
    de: 'OpenPGP-Schlüssel lassen sich nur als „asc“ exportieren, nicht als „{format}“. Lassen Sie --format weg.',
    en: 'OpenPGP keys can only be exported as "asc", not as "{format}". Leave out --format.',
  },
  OPENPGP_KEY_UNUSABLE: {
    kind: 'user',
    de: 'Der Schlüssel {id} ist nicht verwendbar ({reason}). Bitten Sie den Inhaber um einen aktuellen Schlüssel.',
    en: 'The key {id} cannot be used ({reason}). Ask its owner for a current key.',
  },
  OPENPGP_FAILED: {
    kind: 'user',
    de: 'OpenPGP-Vorgang fehlgeschlagen: {reason}. Prüfen Sie Schlüssel und Eingabedatei.',
    en: 'OpenPGP operation failed: {reason}. Check the keys and the input file.',
  },
  MIME_TOO_DEEP: {
    kind: 'user',
    de: 'Die Nachricht ist tiefer verschachtelt als erlaubt ({limit} Ebenen) und wird nicht geöffnet. Bitten Sie den Absender, sie einfacher zu senden.',
    en: 'The message is nested deeper than allowed ({limit} levels) and is not opened. Ask the sender to send it in a simpler form.',
  },
  MIME_TOO_MANY_PARTS: {
    kind: 'user',
    de: 'Die Nachricht hat mehr Teile als erlaubt ({limit}) und wird nicht geöffnet. Bitten Sie den Absender, sie aufzuteilen.',
    en: 'The message has more parts than allowed ({limit}) and is not opened. Ask the sender to split it.',
  },
  MESSAGE_NO_SIGNING_KEY: {
    kind: 'user',
    de: 'Für {address} gibt es keinen verwendbaren eigenen OpenPGP-Schlüssel zum Signieren. Erzeugen oder importieren Sie einen („siegelpost keys generate“) oder senden Sie mit --no-sign.',
    en: 'There is no usable own OpenPGP key for {address} to sign with. Generate or import one ("siegelpost keys generate") or send with --no-sign.',
  },
  MESSAGE_NO_RECIPIENT_KEY: {
    kind: 'user',
    de: 'Für {address} gibt es keinen verwendbaren Schlüssel zum Verschlüsseln. Importieren Sie den Schlüssel des Empfängers oder wählen Sie einen anderen Weg (z. B. --encrypt container).',
    en: 'There is no usable key for {address} to encrypt to. Import the recipient\'s key or choose another way (for example --encrypt container).',
  },
  MESSAGE_MODE_UNSUPPORTED: {
    kind: 'user',
    de: '--encrypt {mode} ist in dieser Version noch nicht verfügbar. Verwenden Sie --encrypt openpgp oder --encrypt none.',
    en: '--encrypt {mode} is not available in this version yet. Use --encrypt openpgp or --encrypt none.',
  },
  MESSAGE_BAD_ADDRESS: {
    kind: 'user',
    de: '„{address}“ ist keine gültige E-Mail-Adresse. Schreiben Sie sie in der Form name@beispiel.de.',
    en: '"{address}" is not a valid e-mail address. Write it as name@example.com.',
  },
  // --- smime ---
  SMIME_MALFORMED: {
    kind: 'user',
    de: 'Die Daten ({what}) sind beschädigt oder unvollständig. Lassen Sie sich die Datei oder Nachricht erneut senden.',
    en: 'The data ({what}) is damaged or incomplete. Ask for the file or message to be sent again.',
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
  // --- transport (Zwangs-TLS, accounts, Outbox, policy) ---
  ACCOUNT_EXISTS: {
    kind: 'user',
    de: 'Ein Konto namens „{name}“ gibt es schon. Wählen Sie einen anderen Namen.',
    en: 'An account named "{name}" already exists. Choose another name.',
  },
  ACCOUNT_NOT_FOUND: {
    kind: 'user',
    de: 'Es gibt kein Konto „{name}“. „siegelpost accounts list“ zeigt die eingerichteten Konten.',
    en: 'There is no account "{name}". "siegelpost accounts list" shows the accounts set up.',
  },
  ACCOUNT_BAD_ENDPOINT: {
    kind: 'user',
    de: '„{value}“ ist keine gültige Angabe für {option}. Erwartet: HOST:PORT, z. B. mail.example.de:465.',
    en: '"{value}" is not valid for {option}. Expected HOST:PORT, for example mail.example.de:465.',
  },
  ACCOUNT_BAD_PIN: {
    kind: 'user',
    de: '„{value}“ ist kein SHA-256-Fingerabdruck. Erwartet: 64 Hex-Zeichen, mit oder ohne Doppelpunkte.',
    en: '"{value}" is not a SHA-256 fingerprint. Expected 64 hex characters, with or without colons.',
  },
  ACCOUNT_BAD_CA: {
    kind: 'user',
    de: 'Die Datei {path} enthält kein PEM-Zertifikat. Geben Sie das CA-Zertifikat des Servers im PEM-Format an.',
    en: 'The file {path} holds no PEM certificate. Give the server CA certificate in PEM format.',
  },
  ACCOUNT_DAMAGED: {
    kind: 'user',
    de: 'Die Datei {path} lässt sich nicht lesen (beschädigt oder mit einem anderen Tresor angelegt). Stellen Sie sie aus einer Sicherung wieder her oder richten Sie die Konten neu ein.',
    en: 'The file {path} cannot be read (damaged or made with another vault). Restore it from a backup or set the accounts up again.',
  },
  ACCOUNT_PASSWORD_MISSING: {
    kind: 'user',
    de: 'Das Kennwort des Kontos „{name}“ fehlt im Schlüsselbund. Richten Sie das Konto neu ein (Konten → Konto hinzufügen, oder accounts add mit --password-file).',
    en: 'The password of account "{name}" is missing from the keychain. Set the account up again (Accounts → Add account, or accounts add with --password-file).',
  },
  TLS_STARTTLS_MISSING: {
    kind: 'remote',
    de: 'Der Server {host}:{port} bietet keine Verschlüsselung (STARTTLS) an. Siegelpost sendet nie unverschlüsselt; fragen Sie Ihren Anbieter oder nutzen Sie Port 465/993 (TLS).',
    en: 'The server {host}:{port} offers no encryption (STARTTLS). Siegelpost never sends unencrypted; ask your provider or use port 465/993 (TLS).',
  },
  TLS_STARTTLS_INJECTION: {
    kind: 'remote',
    de: 'Der Server {host}:{port} hat vor dem Verschlüsseln zusätzliche Daten geschickt – ein Zeichen für einen Angriff. Verbindung abgebrochen; prüfen Sie das Netz (z. B. ein anderes WLAN).',
    en: 'The server {host}:{port} sent extra data before encryption started – a sign of an attack. Connection ended; check the network (for example another Wi-Fi).',
  },
  TLS_VERSION_TOO_OLD: {
    kind: 'remote',
    de: 'Der Server {host}:{port} beherrscht nur veraltetes TLS (älter als 1.2). Siegelpost verbindet sich nicht; bitten Sie Ihren Anbieter, TLS 1.2 oder 1.3 einzuschalten.',
    en: 'The server {host}:{port} only speaks outdated TLS (older than 1.2). Siegelpost does not connect; ask your provider to enable TLS 1.2 or 1.3.',
  },
  TLS_CERT_EXPIRED: {
    kind: 'remote',
    de: 'Das Zertifikat des Servers {host}:{port} ist abgelaufen. Siegelpost verbindet sich nicht; Ihr Anbieter muss es erneuern.',
    en: 'The certificate of the server {host}:{port} has expired. Siegelpost does not connect; your provider must renew it.',
  },
  TLS_CERT_SELF_SIGNED: {
    kind: 'remote',
    de: 'Der Server {host}:{port} zeigt ein selbst ausgestelltes Zertifikat. Ist es Ihr eigener Server, geben Sie sein Zertifikat mit --ca an; sonst kann es ein Angriff sein.',
    en: 'The server {host}:{port} shows a self-signed certificate. If it is your own server, give its certificate with --ca; otherwise it may be an attack.',
  },
  TLS_CERT_UNKNOWN_ISSUER: {
    kind: 'remote',
    de: 'Das Zertifikat des Servers {host}:{port} stammt von einer unbekannten Zertifizierungsstelle. Geben Sie deren Zertifikat mit --ca an, wenn Sie ihr vertrauen.',
    en: 'The certificate of the server {host}:{port} comes from an unknown certificate authority. Give its certificate with --ca if you trust it.',
  },
  TLS_CERT_WRONG_HOST: {
    kind: 'remote',
    de: 'Das Zertifikat des Servers gilt nicht für {host}. Prüfen Sie den Servernamen im Konto; ein falscher Name kann auch ein Angriff sein.',
    en: 'The server certificate is not valid for {host}. Check the server name in the account; a wrong name can also be an attack.',
  },
  TLS_CERT_PIN_MISMATCH: {
    kind: 'remote',
    de: 'Das Zertifikat von {host}:{port} hat nicht den festgelegten Fingerabdruck. Verbindung abgebrochen; klären Sie mit dem Betreiber, ob das Zertifikat gewechselt wurde.',
    en: 'The certificate of {host}:{port} does not have the pinned fingerprint. Connection ended; ask the operator whether the certificate was changed.',
  },
  TLS_CERT_INVALID: {
    kind: 'remote',
    de: 'Das Zertifikat des Servers {host}:{port} ist ungültig ({detail}). Siegelpost verbindet sich nicht.',
    en: 'The certificate of the server {host}:{port} is invalid ({detail}). Siegelpost does not connect.',
  },
  TLS_WRONG_MODE: {
    kind: 'user',
    de: 'Der Server {host}:{port} beginnt nicht mit TLS – vermutlich ein STARTTLS-Port. Richten Sie das Konto mit {option} starttls ein (verschlüsselt wird trotzdem immer).',
    en: 'The server {host}:{port} does not start with TLS – probably a STARTTLS port. Set the account up with {option} starttls (it is still always encrypted).',
  },
  SMTP_RECIPIENTS_REFUSED: {
    kind: 'remote',
    de: 'Gesendet, aber der Server {host} hat diese Empfänger abgelehnt: {recipients}. Prüfen Sie die Adressen und senden Sie an sie erneut.',
    en: 'Sent, but the server {host} refused these recipients: {recipients}. Check the addresses and send to them again.',
  },
  TLS_NOT_ESTABLISHED: {
    kind: 'remote',
    de: 'Die Verbindung zu {host}:{port} ist nicht verschlüsselt zustande gekommen ({detail}). Siegelpost sendet nichts darüber.',
    en: 'The connection to {host}:{port} did not come up encrypted ({detail}). Siegelpost sends nothing over it.',
  },
  SMTP_REQUIRETLS_UNSUPPORTED: {
    kind: 'remote',
    de: 'Der Server {host} unterstützt REQUIRETLS nicht, Ihre Richtlinie verlangt es. Senden Sie über einen Server mit REQUIRETLS, stellen Sie REQUIRETLS auf „anfordern“ (policy set requiretls request) oder tragen Sie eine TLS-Ausnahme ein (tls-exception).',
    en: 'The server {host} does not support REQUIRETLS, which your policy requires. Send through a server with REQUIRETLS, set REQUIRETLS to "request" (policy set requiretls request) or add a TLS exception (tls-exception).',
  },
  SMTP_AUTH_FAILED: {
    kind: 'user',
    de: 'Der Server {host} hat die Anmeldung abgelehnt ({reply}). Prüfen Sie Benutzername und Kennwort des Kontos.',
    en: 'The server {host} refused the login ({reply}). Check the account user name and password.',
  },
  SMTP_REJECTED: {
    kind: 'remote',
    de: 'Der Server {host} hat die Nachricht abgelehnt: „{reply}“. Korrigieren Sie Absender oder Empfänger und senden Sie erneut.',
    en: 'The server {host} refused the message: "{reply}". Correct the sender or recipients and send again.',
  },
  SMTP_UNREACHABLE: {
    kind: 'remote',
    de: 'Der Server {host}:{port} ist nicht erreichbar ({detail}). Die Nachricht wartet im Postausgang; prüfen Sie die Verbindung und versuchen Sie es mit „Erneut senden“ (outbox retry) noch einmal.',
    en: 'The server {host}:{port} cannot be reached ({detail}). The message waits in the Outbox; check the connection and try again with "Send again" (outbox retry).',
  },
  IMAP_AUTH_FAILED: {
    kind: 'user',
    de: 'Der IMAP-Server {host} hat die Anmeldung abgelehnt. Prüfen Sie Benutzername und Kennwort des Kontos.',
    en: 'The IMAP server {host} refused the login. Check the account user name and password.',
  },
  IMAP_FAILED: {
    kind: 'remote',
    de: 'Der IMAP-Server {host}:{port} hat nicht wie erwartet geantwortet ({detail}).',
    en: 'The IMAP server {host}:{port} did not answer as expected ({detail}).',
  },
  OUTBOX_POSSIBLY_SENT: {
    kind: 'user',
    de: 'Das Senden wurde unterbrochen; die Nachricht ist möglicherweise schon angekommen. Prüfen Sie das beim Empfänger und senden Sie erst dann erneut („Erneut senden“, outbox retry {id}) – oder verwerfen Sie sie („Verwerfen“, outbox drop {id}).',
    en: 'Sending was interrupted; the message may already have arrived. Check with the recipient before sending again ("Send again", outbox retry {id}) – or drop it ("Drop", outbox drop {id}).',
  },
  OUTBOX_INTERRUPTED: {
    kind: 'user',
    de: 'Das Senden wurde wiederholt unterbrochen, bevor die Nachricht übertragen war; sie ist nicht gesendet. Versuchen Sie es mit „Erneut senden“ (outbox retry {id}) noch einmal.',
    en: 'Sending was interrupted repeatedly before the message was transferred; it has not been sent. Try again with "Send again" (outbox retry {id}).',
  },
  OUTBOX_NOT_FOUND: {
    kind: 'user',
    de: 'Im Postausgang gibt es keinen Eintrag {id}. „siegelpost outbox list“ zeigt die Einträge.',
    en: 'The Outbox has no entry {id}. "siegelpost outbox list" shows the entries.',
  },
  OUTBOX_WRONG_STATE: {
    kind: 'user',
    de: 'Der Eintrag {id} ist „{state}“; das geht nur mit zurückgehaltenen oder wartenden Nachrichten.',
    en: 'The entry {id} is "{state}"; this works only for held or queued messages.',
  },
  OUTBOX_DAMAGED: {
    kind: 'user',
    de: 'Der Postausgang {path} lässt sich nicht lesen ({reason}). Stellen Sie ihn aus einer Sicherung wieder her.',
    en: 'The Outbox {path} cannot be read ({reason}). Restore it from a backup.',
  },
  SEND_NO_RECIPIENTS: {
    kind: 'user',
    de: 'Die Nachricht {path} hat keine Empfänger (To, Cc oder Bcc). Ergänzen Sie sie.',
    en: 'The message {path} has no recipients (To, Cc or Bcc). Add them.',
  },
  SEND_NO_SENDER: {
    kind: 'user',
    de: 'Die Nachricht {path} hat keinen gültigen Absender (From). Ergänzen Sie ihn.',
    en: 'The message {path} has no valid sender (From). Add it.',
  },
  POLICY_E2E_REQUIRED: {
    kind: 'user',
    de: 'Für {recipient} verlangt die Regel „{rule}“ Ende-zu-Ende-Verschlüsselung, die Nachricht ist aber nicht verschlüsselt. Verschlüsseln Sie sie (S/MIME, OpenPGP oder Container).',
    en: 'For {recipient} the rule "{rule}" requires end-to-end encryption, but the message is not encrypted. Encrypt it (S/MIME, OpenPGP or container).',
  },
  POLICY_REQUIRETLS_RULE: {
    kind: 'remote',
    de: 'Für {recipient} verlangt die Regel „{rule}“ REQUIRETLS, der Server {host} bietet es nicht an. Nutzen Sie einen Server mit REQUIRETLS oder tragen Sie eine TLS-Ausnahme (tls-exception) mit Begründung ein.',
    en: 'For {recipient} the rule "{rule}" requires REQUIRETLS, which the server {host} does not offer. Use a server with REQUIRETLS or add a TLS exception (tls-exception) with a reason.',
  },
  POLICY_DOMAIN_NOT_TLS: {
    kind: 'remote',
    de: 'Für {recipient} verlangt die Regel „{rule}“ MTA-STS oder DANE; die Domain erfüllt das nicht oder ließ sich nicht prüfen ({posture}). Tragen Sie eine TLS-Ausnahme (tls-exception) mit Begründung ein oder verschlüsseln Sie Ende-zu-Ende.',
    en: 'For {recipient} the rule "{rule}" requires MTA-STS or DANE; the domain does not meet it or could not be checked ({posture}). Add a TLS exception (tls-exception) with a reason or encrypt end to end.',
  },
  POLICY_MIXED_RECIPIENTS: {
    kind: 'user',
    de: 'Die Empfänger verlangen Gegensätzliches: {strict} verlangt REQUIRETLS, für {relaxed} gilt eine TLS-Ausnahme. Senden Sie zwei getrennte Nachrichten.',
    en: 'The recipients need opposite things: {strict} requires REQUIRETLS, {relaxed} has a TLS exception. Send two separate messages.',
  },
  POLICY_BAD_TARGET: {
    kind: 'user',
    de: '„{value}“ ist weder eine Domain noch eine E-Mail-Adresse.',
    en: '"{value}" is neither a domain nor an e-mail address.',
  },
  POLICY_BAD_DATE: {
    kind: 'user',
    de: '„{value}“ ist kein Datum. Erwartet: ISO-Datum, z. B. 2027-12-31.',
    en: '"{value}" is not a date. Expected an ISO date, for example 2027-12-31.',
  },
  // --- drafts ---
  DRAFT_TOO_LARGE: {
    kind: 'user',
    de: 'Die Anhänge des Entwurfs sind zusammen größer als {max} MiB. Entfernen Sie Anhänge oder verschicken Sie sie auf mehrere Nachrichten verteilt.',
    en: 'The attachments of the draft are larger than {max} MiB together. Remove attachments or send them spread over several messages.',
  },
  DRAFT_ONLY_OWN_KEY: {
    kind: 'user',
    de: '„{name}“ ist nicht Ihr eigener Schlüssel. Als Entwurf teilen können Sie nur Ihren eigenen öffentlichen Schlüssel oder Ihr eigenes Zertifikat; fremde Schlüssel geben Sie über „Öffentlichen Schlüssel speichern …“ weiter.',
    en: '"{name}" is not your own key. Only your own public key or certificate can be shared as a draft; pass on other people\'s keys with "Save public key …".',
  },
  DRAFT_DAMAGED: {
    kind: 'user',
    de: 'Der Entwurf {path} lässt sich nicht lesen (beschädigt oder mit einem anderen Tresor angelegt). Löschen Sie die Datei oder stellen Sie den Profilordner aus einer Sicherung wieder her.',
    en: 'The draft {path} cannot be read (damaged or made with another vault). Delete the file or restore the profile folder from a backup.',
  },
  // --- openpgp (revocation certificates) ---
  OPENPGP_REVOCATION_NO_KEY: {
    kind: 'user',
    de: 'Die Datei {file} ist ein Widerrufszertifikat, aber kein Schlüssel im Tresor passt dazu. Importieren Sie zuerst den Schlüssel, den es widerruft.',
    en: 'The file {file} is a revocation certificate, but no key in the vault matches it. Import the key it revokes first.',
  },
  // --- openpgp (key discovery) ---
  WKD_NOT_FOUND: {
    kind: 'user',
    de: 'Für {address} hat Siegelpost im Web Key Directory keinen Schlüssel gefunden (kein Eintrag, oder der Server war nicht erreichbar). Bitten Sie die Person um ihren öffentlichen Schlüssel als Datei.',
    en: 'Siegelpost found no key for {address} in the Web Key Directory (no entry, or the server could not be reached). Ask the person for their public key as a file.',
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
