import type { ErrorEntry } from './entry.ts'

/** Policy rules, exceptions and consents. */
export const policyCodes = {
  POLICY_E2E_REQUIRED: {
    kind: 'user',
    de: 'Für {recipient} verlangt die Regel „{rule}“ Ende-zu-Ende-Verschlüsselung, die Nachricht ist aber nicht verschlüsselt. Verschlüsseln Sie sie (S/MIME, OpenPGP oder Container).',
    en: 'For {recipient} the rule "{rule}" requires end-to-end encryption, but the message is not encrypted. Encrypt it (S/MIME, OpenPGP or container).',
  },
  POLICY_REQUIRETLS_RULE: {
    kind: 'remote',
    de: 'Für {recipient} verlangt die Regel „{rule}“ REQUIRETLS, der Server {host} bietet es nicht an. Nutzen Sie einen Server mit REQUIRETLS oder tragen Sie eine TLS-Ausnahme mit Begründung ein (Postausgang → „Ausnahme eintragen …“; Befehlszeile: tls-exception).',
    en: 'For {recipient} the rule "{rule}" requires REQUIRETLS, which the server {host} does not offer. Use a server with REQUIRETLS or add a TLS exception with a reason (Outbox → "Add exception …"; command line: tls-exception).',
  },
  POLICY_DOMAIN_NOT_TLS: {
    kind: 'remote',
    de: 'Für {recipient} verlangt die Regel „{rule}“ MTA-STS oder DANE; die Domain erfüllt das nicht oder ließ sich nicht prüfen ({posture}). Tragen Sie eine TLS-Ausnahme mit Begründung ein (Postausgang → „Ausnahme eintragen …“; Befehlszeile: tls-exception) oder verschlüsseln Sie Ende-zu-Ende.',
    en: 'For {recipient} the rule "{rule}" requires MTA-STS or DANE; the domain does not meet it or could not be checked ({posture}). Add a TLS exception with a reason (Outbox → "Add exception …"; command line: tls-exception) or encrypt end to end.',
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
} as const satisfies Record<string, ErrorEntry>
