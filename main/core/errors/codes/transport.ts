import type { ErrorEntry } from './entry.ts'

/** Accounts, Zwangs-TLS, SMTP, IMAP and the Outbox. */
export const transportCodes = {
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
    de: 'Das Passwort des Kontos „{name}“ fehlt im Schlüsselbund. Richten Sie das Konto neu ein (Konten → Konto hinzufügen, oder accounts add mit --password-file).',
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
    de: 'Nicht gesendet: Der Server {host} sagt nicht zu, die Nachricht bis zum Empfänger nur verschlüsselt weiterzugeben (REQUIRETLS), und Ihre Einstellung verlangt das. Senden Sie über einen Server mit REQUIRETLS, stellen Sie REQUIRETLS auf „anfordern“ (Konten → Zwangs-TLS; Befehlszeile: policy set requiretls request) oder tragen Sie für den Empfänger eine TLS-Ausnahme ein (Postausgang → „Ausnahme eintragen\u00a0…“; Befehlszeile: tls-exception).',
    en: 'Not sent: the server {host} does not promise to pass the message on encrypted all the way to the recipient (REQUIRETLS), and your settings require that. Send through a server with REQUIRETLS, set REQUIRETLS to "request" (Accounts → Enforced TLS; command line: policy set requiretls request) or add a TLS exception for the recipient (Outbox → "Add exception\u00a0…"; command line: tls-exception).',
  },
  SMTP_AUTH_FAILED: {
    kind: 'user',
    de: 'Der Server {host} hat die Anmeldung abgelehnt ({reply}). Prüfen Sie Benutzername und Passwort des Kontos.',
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
    de: 'Der IMAP-Server {host} hat die Anmeldung abgelehnt. Prüfen Sie Benutzername und Passwort des Kontos.',
    en: 'The IMAP server {host} refused the login. Check the account user name and password.',
  },
  IMAP_FAILED: {
    kind: 'remote',
    de: 'Der IMAP-Server {host}:{port} hat nicht wie erwartet geantwortet ({detail}).',
    en: 'The IMAP server {host}:{port} did not answer as expected ({detail}).',
  },
  IMAP_UNREACHABLE: {
    kind: 'remote',
    de: 'Der IMAP-Server {host}:{port} ist nicht erreichbar ({detail}). Die gespeicherten Nachrichten bleiben lesbar. Prüfen Sie die Internetverbindung und rufen Sie danach erneut ab („Jetzt abrufen“; Befehlszeile: fetch).',
    en: 'The IMAP server {host}:{port} cannot be reached ({detail}). Stored messages stay readable. Check the internet connection, then fetch again ("Fetch now"; command line: fetch).',
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
} as const satisfies Record<string, ErrorEntry>
