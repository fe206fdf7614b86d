import type { ErrorEntry } from './entry.ts'

/**
 * The per-recipient decision of compose (`why` in `compose --plan`), the blocked refusal and split
 * sending. The RECIPIENT_* texts explain a decision; the blocked ones also name the ways out.
 */
export const composeCodes = {
  RECIPIENT_E2E_VERIFIED: {
    kind: 'user',
    de: 'Ende-zu-Ende-verschlüsselt mit {technology}: Schlüssel {fingerprint}, Fingerabdruck abgeglichen.',
    en: 'End-to-end encrypted with {technology}: key {fingerprint}, fingerprint verified.',
  },
  RECIPIENT_E2E_UNVERIFIED: {
    kind: 'user',
    de: 'Ende-zu-Ende-verschlüsselt mit {technology}: Schlüssel {fingerprint}, Fingerabdruck noch nicht abgeglichen (keys verify).',
    en: 'End-to-end encrypted with {technology}: key {fingerprint}, fingerprint not yet verified (keys verify).',
  },
  RECIPIENT_E2E_LAST_SIGNED: {
    kind: 'user',
    de: 'Ende-zu-Ende-verschlüsselt mit {technology} (Schlüssel {fingerprint}): beide Verfahren sind möglich, gewählt ist das seiner zuletzt signierten Nachricht.',
    en: 'End-to-end encrypted with {technology} (key {fingerprint}): both technologies are possible; chosen is the one of their last signed message.',
  },
  RECIPIENT_TLS_CONSENT: {
    kind: 'user',
    de: 'Nur transportverschlüsselt (Zwangs-TLS), ohne Ende-zu-Ende-Verschlüsselung: Einwilligung „{channel}“ für {target} dokumentiert am {date} von {by}.',
    en: 'Transport encryption only (enforced TLS), no end-to-end encryption: consent "{channel}" for {target} documented on {date} by {by}.',
  },
  RECIPIENT_CONTAINER_CONSENT: {
    kind: 'user',
    de: 'Passwort-PDF: für {target} am {date} von {by} vereinbart. Das Passwort geht auf getrenntem Weg an {address}, nie per E-Mail.',
    en: 'Password PDF: agreed for {target} on {date} by {by}. The password reaches {address} by a separate channel, never by e-mail.',
  },
  RECIPIENT_CONTAINER_CHOSEN: {
    kind: 'user',
    de: 'Passwort-PDF für {address}, wie gewählt (--encrypt container). Das Passwort geht auf getrenntem Weg, nie per E-Mail.',
    en: 'Password PDF for {address}, as chosen (--encrypt container). The password goes by a separate channel, never by e-mail.',
  },
  RECIPIENT_NO_KEY: {
    kind: 'user',
    de: 'Kein sicherer Versandweg: Für {address} gibt es keinen verwendbaren Schlüssel und keine dokumentierte Einwilligung.',
    en: 'No secure way to send: there is no usable key for {address} and no documented consent.',
  },
  RECIPIENT_KEY_EXPIRED: {
    kind: 'user',
    de: 'Der einzige {technology}-Schlüssel von {address} ist am {date} abgelaufen. Bitten Sie um einen aktuellen Schlüssel oder erfassen Sie eine Einwilligung für einen anderen Versandweg.',
    en: 'The only {technology} key of {address} expired on {date}. Ask for a current key, or record consent for another way to send.',
  },
  RECIPIENT_KEY_REVOKED: {
    kind: 'user',
    de: 'Der einzige {technology}-Schlüssel von {address} ist widerrufen. Bitten Sie um einen aktuellen Schlüssel oder erfassen Sie eine Einwilligung für einen anderen Versandweg.',
    en: 'The only {technology} key of {address} is revoked. Ask for a current key, or record consent for another way to send.',
  },
  RECIPIENT_KEY_UNUSABLE: {
    kind: 'user',
    de: 'Der {technology}-Schlüssel von {address} lässt sich nicht zum Verschlüsseln verwenden ({reason}). Bitten Sie um einen anderen Schlüssel oder erfassen Sie eine Einwilligung für einen anderen Versandweg.',
    en: 'The {technology} key of {address} cannot be used to encrypt ({reason}). Ask for another key, or record consent for another way to send.',
  },
  RECIPIENT_OWN_KEY_MISSING: {
    kind: 'user',
    de: '{address} hat nur einen {technology}-Schlüssel, Sie selbst ({from}) haben keinen eigenen {technology}-Schlüssel, an den die Nachricht auch verschlüsselt werden kann. Importieren oder erzeugen Sie einen.',
    en: '{address} has only a {technology} key, and you ({from}) have no own {technology} key the message can also be encrypted to. Import or generate one.',
  },
  RECIPIENT_BAD_ADDRESS: {
    kind: 'user',
    de: '„{address}“ ist keine gültige E-Mail-Adresse. Schreiben Sie sie in der Form name@beispiel.de.',
    en: '"{address}" is not a valid e-mail address. Write it as name@example.com.',
  },
  RECIPIENT_E2E_RULE_NO_KEY: {
    kind: 'user',
    de: 'Die Regel „{rule}“ verlangt für {address} Ende-zu-Ende-Verschlüsselung (sie geht jeder Einwilligung vor), es gibt aber keinen verwendbaren Schlüssel. Importieren Sie einen.',
    en: 'The rule "{rule}" requires end-to-end encryption for {address} (it beats any consent), but there is no usable key. Import one.',
  },
  RECIPIENT_CONSENT_E2E_NO_KEY: {
    kind: 'user',
    de: 'Mit {address} ist Ende-zu-Ende-Verschlüsselung vereinbart (am {date}), es gibt aber keinen verwendbaren Schlüssel. Importieren Sie einen.',
    en: 'End-to-end encryption was agreed with {address} (on {date}), but there is no usable key. Import one.',
  },
  RECIPIENT_CONSENT_EXPIRED: {
    kind: 'user',
    de: 'Die Einwilligung für {address} ({target}) ist am {date} abgelaufen, und es gibt keinen verwendbaren Schlüssel. Erfassen Sie die Einwilligung neu.',
    en: 'The consent for {address} ({target}) expired on {date}, and there is no usable key. Record the consent again.',
  },
  RECIPIENT_NO_KEY_FOR_MODE: {
    kind: 'user',
    de: 'Mit --encrypt {mode} braucht {address} einen verwendbaren {technology}-Schlüssel; es gibt keinen (Ihr eigener muss auch vorhanden sein).',
    en: 'With --encrypt {mode}, {address} needs a usable {technology} key; there is none (your own must be there too).',
  },
  RECIPIENT_NO_CONSENT_FOR_PLAIN: {
    kind: 'user',
    de: 'Ohne Ende-zu-Ende-Verschlüsselung darf an {address} nur mit dokumentierter Einwilligung gesendet werden; es gibt keine.',
    en: 'Without end-to-end encryption, {address} may only be sent to with documented consent; there is none.',
  },
  COMPOSE_RECIPIENTS_BLOCKED: {
    kind: 'user',
    de: 'Nichts erstellt und nichts gesendet – kein sicherer Versandweg für {addresses}. {reasons} Auswege: den Schlüssel des Empfängers importieren (siegelpost keys import), die Einwilligung des Mandanten erfassen (siegelpost policy consent ADRESSE --channel …) oder das Passwort-PDF wählen (--encrypt container).',
    en: "Nothing composed and nothing sent – no secure way to send to {addresses}. {reasons} Ways out: import the recipient's key (siegelpost keys import), record the client's consent (siegelpost policy consent ADDRESS --channel …) or choose the password PDF (--encrypt container).",
  },
  COMPOSE_NEEDS_SEVERAL_MESSAGES: {
    kind: 'user',
    de: 'Die Empfänger brauchen {count} getrennte Nachrichten (unterschiedlicher Schutz oder Bcc), eine .eml-Datei fasst nur eine. Senden Sie mit --send --account NAME oder sehen Sie sich die Aufteilung mit --plan an.',
    en: 'The recipients need {count} separate messages (different protection or Bcc); one .eml file holds only one. Send with --send --account NAME, or see the split with --plan.',
  },
  COMPOSE_NO_SIGNER: {
    kind: 'user',
    de: 'Zum Signieren dieser Nachricht braucht {address} ein eigenes {technology}-Zertifikat bzw. einen eigenen Schlüssel mit privatem Teil; es gibt keinen (ohne Ende-zu-Ende-Verschlüsselung wird nur mit S/MIME signiert). Importieren Sie ihn oder senden Sie mit --no-sign.',
    en: 'Signing this message needs an own {technology} certificate or key with its private part for {address}; there is none (without end-to-end encryption only S/MIME signs). Import it or send with --no-sign.',
  },
  SMTP_MESSAGE_TOO_LARGE: {
    kind: 'user',
    de: 'Die Nachricht ist {size} MiB groß, der Server {host} nimmt höchstens {limit} MiB an (SIZE {limitBytes} Byte); sie ist nicht gesendet. Verkleinern Sie die Anhänge oder verteilen Sie sie auf mehrere Nachrichten.',
    en: 'The message is {size} MiB, the server {host} takes at most {limit} MiB (SIZE {limitBytes} bytes); it has not been sent. Make the attachments smaller or spread them over several messages.',
  },
} as const satisfies Record<string, ErrorEntry>
