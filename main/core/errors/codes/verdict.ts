import type { ErrorEntry } from './entry.ts'

/**
 * The verdicts of `open` (CLI.md "Verdict codes and warnings"): why a message counts as encrypted,
 * failed or not, why a signature is valid, invalid, unknown or not the sender's, and the warnings
 * shown beside the verdict. `kind` says whose matter it is, as for errors: `remote` when the
 * message or its sender is at fault, `user` when the reader can act (import a key).
 */
export const verdictCodes = {
  // encryption
  ENCRYPTION_NOT_FOR_YOU: {
    kind: 'user',
    de: 'Die Nachricht ist an keinen Schlüssel in Ihrem Tresor verschlüsselt. Bitten Sie den Absender, an Ihren aktuellen Schlüssel zu verschlüsseln.',
    en: 'The message is not encrypted to any key in your vault. Ask the sender to encrypt to your current key.',
  },
  ENCRYPTION_NO_INTEGRITY: {
    kind: 'remote',
    de: 'Abgelehnt: Die Nachricht hat keinen Integritätsschutz (kein MDC/AEAD) und könnte verändert worden sein (EFAIL). Bitten Sie den Absender um ein aktuelles Programm.',
    en: 'Refused: the message has no integrity protection (no MDC/AEAD) and could have been altered (EFAIL). Ask the sender to use current software.',
  },
  ENCRYPTION_ALTERED: {
    kind: 'remote',
    de: 'Die verschlüsselten Daten wurden unterwegs verändert (Integritätsprüfung fehlgeschlagen); nichts wird angezeigt. Bitten Sie um erneutes Senden.',
    en: 'The encrypted data was altered on the way (integrity check failed); nothing is shown. Ask for the message to be sent again.',
  },
  ENCRYPTION_TOO_LARGE: {
    kind: 'remote',
    de: 'Abgelehnt: Die Nachricht entpackt sich auf mehr als die erlaubte Größe (Kompressionsbombe?).',
    en: 'Refused: the message expands to more than the allowed size (compression bomb?).',
  },
  ENCRYPTION_UNREADABLE: {
    kind: 'remote',
    de: 'Die verschlüsselten Daten lassen sich nicht lesen ({detail}). Bitten Sie um erneutes Senden.',
    en: 'The encrypted data could not be read ({detail}). Ask for the message to be sent again.',
  },
} as const satisfies Record<string, ErrorEntry>
