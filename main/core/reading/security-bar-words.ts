/**
 * The security bar's words (UI.md §2.2: title|qualifier per state, the reasons a signature is not valid, the
 * warnings of the verdict model), German first. One text for the read view (renderer/src/mail/words.ts, through
 * preload/reading-words.ts) and the message record (record-words.ts), so the record says in writing exactly
 * what the window showed. No imports: the renderer's bundle carries it.
 */
const de = {
  'state.encrypted-verified': 'Verschlüsselt|Absender bestätigt',
  'state.encrypted-unverified': 'Verschlüsselt|Absender noch nicht abgeglichen',
  'state.encrypted-unknown-key': 'Verschlüsselt|Absender unbekannt – Signatur nicht prüfbar',
  'state.encrypted-unsigned': 'Verschlüsselt|Absender nicht bestätigt',
  'state.signed': 'Nicht verschlüsselt|digital signiert von {name}',
  'state.mismatch': 'Achtung|Absenderadresse passt nicht zur Signatur',
  'state.invalid': 'Unsicher|Inhalt wurde möglicherweise verändert',
  'state.signature-not-valid': 'Signatur nicht gültig|{why}',
  'state.cannot-decrypt': 'Kann nicht entschlüsselt werden|Der passende private Schlüssel fehlt auf diesem Gerät',
  'state.cannot-decrypt-damaged': 'Kann nicht entschlüsselt werden|Die Nachricht ist beschädigt oder unvollständig',
  'state.insecure-encryption': 'Unsicher verschlüsselt|Inhalt zum Schutz nicht angezeigt',
  'state.partly-protected': 'Nur teilweise geschützt|ungeschützte Teile sind markiert',
  'state.plain': 'Nicht Ende-zu-Ende-verschlüsselt|',
  'state.key-changed': 'Neuer Schlüssel des Absenders|bitte auf anderem Weg bestätigen',
  'why.expired': 'Zertifikat abgelaufen',
  'why.revoked': 'Zertifikat widerrufen',
  'why.unknown-issuer': 'Aussteller unbekannt',
  'why.unknown-key': 'Schlüssel des Absenders fehlt – Signatur nicht prüfbar',
  'why.certificate-invalid': 'Zertifikat des Absenders ungültig',
  'warning.from-display-address': 'Der angezeigte Name enthält eine andere Adresse als die echte Absenderadresse.',
  'warning.several-from': 'Die Nachricht nennt keinen oder mehrere Absender.',
  'warning.sender-differs': 'Im Nachrichtenkopf steht ein anderer Absender („Sender“) als im Feld „Von“.',
  'warning.reply-to-differs':
    'Antworten würden nicht an den Absender gehen, sondern an die Adresse unter „Antwort an“.',
  'warning.date-gap': 'Das Datum der Nachricht liegt weit vom Zeitpunkt der Signatur entfernt.',
  'warning.unauthenticated-encryption':
    'Die Verschlüsselung schützt den Inhalt nicht vor Veränderung; er könnte unterwegs verändert worden sein.',
  'warning.partly-protected': 'Ein Teil der Nachricht ist nicht geschützt; er ist unten markiert.',
  'warning.encrypted-part-not-opened':
    'Ein verschlüsselter Teil innerhalb der Nachricht wurde zu Ihrem Schutz nicht geöffnet.',
  'warning.sender-key-changed':
    'Der Absender verwendet einen anderen Schlüssel als bisher. Bestätigen Sie ihn auf anderem Weg, z. B. telefonisch.',
  'warning.first-contact': 'Erster Kontakt: Von dieser Adresse kam bisher keine Nachricht.',
  'warning.plaintext-hop':
    'Die Nachricht lief unterwegs ohne Transportverschlüsselung, obwohl für diesen Absender TLS vorgeschrieben ist.',
}

const en: Record<keyof typeof de, string> = {
  'state.encrypted-verified': 'Encrypted|sender verified',
  'state.encrypted-unverified': 'Encrypted|sender not yet verified',
  'state.encrypted-unknown-key': 'Encrypted|unknown sender key – signature cannot be checked',
  'state.encrypted-unsigned': 'Encrypted|sender not confirmed',
  'state.signed': 'Not encrypted|digitally signed by {name}',
  'state.mismatch': 'Caution|sender address does not match signature',
  'state.invalid': 'Not trustworthy|content may have been altered',
  'state.signature-not-valid': 'Signature not valid|{why}',
  'state.cannot-decrypt': 'Cannot be decrypted|the matching private key is missing on this device',
  'state.cannot-decrypt-damaged': 'Cannot be decrypted|the message is damaged or incomplete',
  'state.insecure-encryption': 'Insecurely encrypted|content hidden for your protection',
  'state.partly-protected': 'Only partly protected|unprotected parts are marked',
  'state.plain': 'Not end-to-end encrypted|',
  'state.key-changed': 'Sender uses a new key|please confirm another way',
  'why.expired': 'certificate expired',
  'why.revoked': 'certificate revoked',
  'why.unknown-issuer': 'unknown issuer',
  'why.unknown-key': 'sender key missing – signature cannot be checked',
  'why.certificate-invalid': 'sender certificate not valid',
  'warning.from-display-address': 'The display name contains another address than the real sender address.',
  'warning.several-from': 'The message names no sender or several senders.',
  'warning.sender-differs': 'The message header names another sender (“Sender”) than the “From” field.',
  'warning.reply-to-differs': 'Replies would not go to the sender but to the address under “Reply to”.',
  'warning.date-gap': 'The message date is far from the time of the signature.',
  'warning.unauthenticated-encryption':
    'The encryption does not protect the content against changes; it may have been altered on the way.',
  'warning.partly-protected': 'Part of the message is not protected; it is marked below.',
  'warning.encrypted-part-not-opened': 'An encrypted part inside the message was not opened, for your protection.',
  'warning.sender-key-changed':
    'The sender uses a different key than before. Confirm it another way, for example by phone.',
  'warning.first-contact': 'First contact: no earlier message from this address is known.',
  'warning.plaintext-hop':
    'The message travelled without transport encryption on the way, although TLS is required for this sender.',
}

export const securityBarWords = { de, en } as const
