import type { ErrorEntry } from './entry.ts'

/** MIME, compose/open and drafts. */
export const messageCodes = {
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
    en: "There is no usable key for {address} to encrypt to. Import the recipient's key or choose another way (for example --encrypt container).",
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
} as const satisfies Record<string, ErrorEntry>
