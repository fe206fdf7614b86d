import type { ErrorEntry } from './entry.ts'

/** Reply, reply all and forward (reply.ts, `siegelpost reply` / `forward`, the read view's buttons). */
export const replyCodes = {
  REPLY_NO_REPLY_TO: {
    kind: 'user',
    de: 'Die Nachricht nennt keine Antwortadresse (Reply-To). Antworten Sie ohne --to-reply-to an den Absender.',
    en: 'The message names no reply address (Reply-To). Reply to the sender without --to-reply-to.',
  },
  REPLY_NO_RECIPIENT: {
    kind: 'user',
    de: 'Die Nachricht nennt keinen Empfänger für die Antwort außer Ihnen selbst. Verfassen Sie eine neue Nachricht mit „compose“.',
    en: 'The message names no one to reply to but yourself. Write a new message with "compose".',
  },
  REPLY_FROM_UNKNOWN: {
    kind: 'user',
    de: 'Es ist nicht klar, von welcher Ihrer Adressen die Antwort kommt. Geben Sie --account NAME oder --from ADRESSE an.',
    en: 'It is not clear which of your addresses the reply comes from. Give --account NAME or --from ADDRESS.',
  },
  REPLY_ORIGINAL_NOT_OPENED: {
    kind: 'user',
    de: 'Die ursprüngliche Nachricht ließ sich nicht entschlüsseln; ihr Inhalt kann nicht weitergeleitet werden. Importieren Sie den passenden privaten Schlüssel und versuchen Sie es erneut.',
    en: 'The original message could not be decrypted; its content cannot be forwarded. Import the matching private key and try again.',
  },
  FORWARD_NEEDS_END_TO_END: {
    kind: 'user',
    de: 'Nichts gesendet: Die weitergeleitete Nachricht war verschlüsselt und darf nur Ende-zu-Ende-verschlüsselt weitergehen, aber {addresses} erhielte sie ohne. Importieren Sie deren Schlüssel oder leiten Sie nur an Empfänger mit Schlüssel weiter.',
    en: 'Nothing sent: the forwarded message was encrypted and may go on end-to-end encrypted only, but {addresses} would get it without. Import their keys or forward only to recipients with a key.',
  },
  REPLY_DRAFT_GONE: {
    kind: 'user',
    de: 'Die Nachricht ist nicht mehr geöffnet. Öffnen Sie sie erneut und antworten Sie dann.',
    en: 'The message is no longer open. Open it again, then reply.',
  },
} as const satisfies Record<string, ErrorEntry>
