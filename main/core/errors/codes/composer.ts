import type { ErrorEntry } from './entry.ts'

/** The composer's drafts and their attachments (sealed in the profile). */
export const composerCodes = {
  DRAFT_NOT_FOUND: {
    kind: 'user',
    de: 'Den Entwurf gibt es nicht mehr (gesendet oder gelöscht). Öffnen Sie die Liste der Entwürfe neu.',
    en: 'The draft no longer exists (sent or deleted). Reload the list of drafts.',
  },
  DRAFT_ATTACHMENT_NOT_FOUND: {
    kind: 'user',
    de: 'Den Anhang gibt es in diesem Entwurf nicht mehr. Fügen Sie die Datei erneut hinzu.',
    en: 'The attachment is no longer in this draft. Add the file again.',
  },
  DRAFT_ATTACHMENT_DAMAGED: {
    kind: 'user',
    de: 'Der Anhang „{fileName}“ des Entwurfs lässt sich nicht lesen (beschädigt oder unvollständig). Entfernen Sie ihn und fügen Sie die Datei erneut hinzu.',
    en: 'The attachment "{fileName}" of the draft cannot be read (damaged or incomplete). Remove it and add the file again.',
  },
  DRAFT_ATTACHMENT_CHANGED: {
    kind: 'user',
    de: 'Die Datei {path} hat sich beim Kopieren verändert. Warten Sie, bis sie fertig geschrieben ist, und fügen Sie sie erneut hinzu.',
    en: 'The file {path} changed while it was being copied. Wait until it is completely written and add it again.',
  },
  DRAFT_TOO_MANY_ATTACHMENTS: {
    kind: 'user',
    de: 'Ein Entwurf kann höchstens {max} Anhänge haben. Fassen Sie Dateien zu einem ZIP-Archiv zusammen.',
    en: 'A draft can hold at most {max} attachments. Put files together into a ZIP archive.',
  },
  DRAFT_NO_RECIPIENT: {
    kind: 'user',
    de: 'Der Entwurf hat noch keinen Empfänger. Tragen Sie mindestens eine Adresse unter „An“ ein.',
    en: 'The draft has no recipient yet. Enter at least one address under "To".',
  },
  DRAFT_CONTAINER_NO_STANDING_PASSWORD: {
    kind: 'user',
    de: 'Nichts gesendet – für {address} ist kein dauerhaftes Passwort hinterlegt. Wählen Sie im Passwort-PDF-Bereich „Passwort für diese Nachricht erzeugen“, oder hinterlegen Sie ein Passwort auf der Seite „Mandanten“.',
    en: 'Nothing sent – no standing password is kept for {address}. Choose "Generate a password for this message" in the password PDF section, or record a password on the Clients page.',
  },
  COMPOSE_PASSWORD_GONE: {
    kind: 'user',
    de: 'Dieses Passwort wurde schon angezeigt oder ist nicht mehr gespeichert (nach einem Neustart). Siegelpost zeigt ein erzeugtes Passwort nur einmal. Senden Sie die Nachricht erneut, dann wird ein neues Passwort erzeugt.',
    en: 'This password has already been shown or is no longer kept (after a restart). Siegelpost shows a generated password only once. Send the message again to get a new password.',
  },
  DRAFT_RECIPIENTS_BLOCKED: {
    kind: 'user',
    de: 'Nichts gesendet – kein sicherer Versandweg für {addresses}. Klicken Sie auf den markierten Empfänger: Schlüssel suchen oder importieren, Einwilligung erfassen oder den Empfänger entfernen.',
    en: 'Nothing sent – no secure way to send to {addresses}. Click the marked recipient: look up or import a key, record consent, or remove the recipient.',
  },
  DRAFT_NO_ACCOUNT: {
    kind: 'user',
    de: 'Für den Versand fehlt ein Postfach. Richten Sie unter „Konten“ ein Postfach ein und wählen Sie es als Absender.',
    en: 'Sending needs a mailbox. Set one up under "Accounts" and choose it as the sender.',
  },
} as const satisfies Record<string, ErrorEntry>
