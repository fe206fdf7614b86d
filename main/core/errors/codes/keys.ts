import type { ErrorEntry } from './entry.ts'

/** The vault, the keychain and the key store. */
export const keysCodes = {
  KEYCHAIN_UNAVAILABLE: {
    kind: 'user',
    de: 'Der Schlüsselbund des Systems ist nicht erreichbar, darum bleibt der Tresor mit Ihren Schlüsseln zu; es ist nichts verloren. Melden Sie sich neu an oder starten Sie den Schlüsselbund (unter Linux gnome-keyring oder KWallet mit Secret Service) und versuchen Sie es erneut. Ohne Schlüsselbund lässt sich der Tresor auch mit einem Passwort schützen (Befehlszeile: --vault-passphrase-file).',
    en: 'The system keychain cannot be reached, so the vault with your keys stays closed; nothing is lost. Log in again or start the keychain (on Linux gnome-keyring or KWallet with Secret Service) and try again. Without a keychain the vault can be protected with a passphrase instead (command line: --vault-passphrase-file).',
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
    de: 'Die Datei {path} ist mit einem Passwort geschützt. Geben Sie das Passwort an, das Sie mit der Datei erhalten oder beim Sichern vergeben haben (Befehlszeile: --passphrase-file).',
    en: 'The file {path} is protected by a password. Give the password you received with the file or chose when you backed it up (command line: --passphrase-file).',
  },
  KEY_PASSPHRASE_WRONG: {
    kind: 'user',
    de: 'Das Passwort ist falsch. Prüfen Sie Groß- und Kleinschreibung und versuchen Sie es erneut; es wurde nichts gespeichert.',
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
} as const satisfies Record<string, ErrorEntry>
