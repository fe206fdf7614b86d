import type { ErrorEntry } from './entry.ts'

/**
 * The verdicts of `open` (CLI.md "Verdict codes and warnings"): why a message counts as encrypted,
 * failed or not, why a signature is valid, invalid, unknown or not the sender's, and the warnings
 * shown beside the verdict. `kind` says whose matter it is, as for errors: `remote` when the
 * message or its sender is at fault, `user` when the reader can act (import a key).
 */
export const verdictCodes = {
  // encryption
  ENCRYPTION_DECRYPTED: {
    kind: 'user',
    de: 'Verschlüsselt an {recipients}.',
    en: 'Encrypted to {recipients}.',
  },
  ENCRYPTION_INLINE: {
    kind: 'user',
    de: 'Der Text ist ein eingebetteter OpenPGP-Block und wurde entschlüsselt.',
    en: 'The text is an inline OpenPGP block and was decrypted.',
  },
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
  ENCRYPTION_DAMAGED: {
    kind: 'remote',
    de: 'Der verschlüsselte Teil ist beschädigt. Bitten Sie um erneutes Senden.',
    en: 'The encrypted part is damaged. Ask for the message to be sent again.',
  },
  ENCRYPTION_NO_SMIME_KEY: {
    kind: 'user',
    de: 'Die Nachricht ist mit S/MIME verschlüsselt, aber Ihr Tresor enthält kein S/MIME-Zertifikat mit privatem Schlüssel. Importieren Sie Ihre .p12-Datei.',
    en: 'The message is encrypted with S/MIME, but the vault holds no S/MIME certificate with a private key. Import your .p12 file.',
  },
  ENCRYPTION_SMIME_NOT_DECRYPTED: {
    kind: 'user',
    de: 'Die Nachricht ließ sich mit keinem S/MIME-Schlüssel Ihres Tresors entschlüsseln (nicht an Sie verschlüsselt oder beschädigt).',
    en: 'The message could not be decrypted with any S/MIME key in your vault (not encrypted to you, or damaged).',
  },
  ENCRYPTION_NESTED_NOT_OPENED: {
    kind: 'remote',
    de: 'Ein verschlüsselter Teil innerhalb der Nachricht wurde nicht automatisch entschlüsselt (nur ein verschlüsselter Teil auf oberster Ebene wird es).',
    en: 'An encrypted part inside the message was not decrypted automatically (only a top-level encrypted part is).',
  },
  ENCRYPTION_INLINE_NOT_WHOLE: {
    kind: 'remote',
    de: 'Der Text enthält einen verschlüsselten Block mit anderem Text darum; er wurde nicht automatisch entschlüsselt.',
    en: 'The text contains an encrypted block with other text around it; it was not decrypted automatically.',
  },
  // signature: valid
  SIGNATURE_VALID: {
    kind: 'user',
    de: 'Die Signatur ist gültig.',
    en: 'The signature is valid.',
  },
  SIGNATURE_VALID_REVOCATION_UNCHECKED: {
    kind: 'user',
    de: 'Signatur und Zertifikat sind gültig; Sperrstatus nicht geprüft (keine Sperrliste/OCSP verfügbar: Soft-Fail).',
    en: 'Signature and certificate are valid; revocation not checked (no CRL/OCSP available: soft-fail).',
  },
  SIGNATURE_VALID_NOT_REVOKED: {
    kind: 'user',
    de: 'Signatur und Zertifikat sind gültig; nicht gesperrt.',
    en: 'Signature and certificate are valid; not revoked.',
  },
  SIGNATURE_VALID_NOT_REVOKED_OCSP: {
    kind: 'user',
    de: 'Signatur und Zertifikat sind gültig; nicht gesperrt (laut OCSP in Ordnung: {subjects}).',
    en: 'Signature and certificate are valid; not revoked (good per OCSP: {subjects}).',
  },
  SIGNATURE_VALID_REVOCATION_UNKNOWN: {
    kind: 'user',
    de: 'Signatur und Zertifikat sind gültig; der Sperrstatus ließ sich nicht prüfen für {subjects} (Soft-Fail); ohne Sperrlisten-Verteilungspunkt oder OCSP-Responder: {unasked}; nicht erreichbar oder ohne Antwort: {unreachable}.',
    en: 'Signature and certificate are valid; revocation could not be checked for {subjects} (soft-fail); no CRL distribution point or OCSP responder in {unasked}; unreachable or no answer: {unreachable}.',
  },
  // signature: not the sender's
  SIGNATURE_SIGNER_NOT_SENDER: {
    kind: 'remote',
    de: 'Der Unterzeichner ({signer}) ist nicht der Absender {from}.',
    en: 'The signer ({signer}) is not the sender {from}.',
  },
  SIGNATURE_SEVERAL_SENDERS: {
    kind: 'remote',
    de: 'Die Nachricht nennt {count} Absender; der Unterzeichner muss der einzige sein.',
    en: 'The message names {count} senders; the signer must be the only one.',
  },
  // signature: unknown key
  SIGNATURE_UNKNOWN_KEY: {
    kind: 'user',
    de: 'Signiert mit dem Schlüssel {keyId}, der nicht in Ihrem Tresor ist. Importieren Sie den Schlüssel des Absenders, um die Signatur zu prüfen.',
    en: "Signed with key {keyId}, which is not in the vault. Import the sender's key to check it.",
  },
  SIGNATURE_SIGNER_CERTIFICATE_MISSING: {
    kind: 'user',
    de: 'Das Zertifikat des Unterzeichners liegt der Nachricht nicht bei und ist nicht bekannt. Importieren Sie das Zertifikat des Absenders.',
    en: "The signer certificate is not in the message and not known. Import the sender's certificate.",
  },
  // signature: invalid
  SIGNATURE_KEY_REVOKED: {
    kind: 'remote',
    de: 'Der Signaturschlüssel wurde widerrufen.',
    en: 'The signing key has been revoked.',
  },
  SIGNATURE_SHA1: {
    kind: 'remote',
    de: 'Die Signatur verwendet SHA-1, das nicht mehr sicher ist.',
    en: 'The signature uses SHA-1, which is no longer secure.',
  },
  SIGNATURE_WEAK_HASH: {
    kind: 'remote',
    de: 'Die Signatur verwendet ein Hashverfahren, das für ihren Schlüssel zu schwach ist.',
    en: 'The signature uses a hash algorithm that is too weak for its key.',
  },
  SIGNATURE_DIGEST_REFUSED: {
    kind: 'remote',
    de: 'Das Hashverfahren {digest} wird nicht angenommen (SHA-1 und ältere sind gebrochen).',
    en: 'The digest {digest} is not accepted (SHA-1 and older are broken).',
  },
  SIGNATURE_KEY_NOT_VALID_THEN: {
    kind: 'remote',
    de: 'Der Signaturschlüssel war zum Zeitpunkt der Signatur nicht gültig ({detail}).',
    en: 'The signing key was not valid when the signature was made ({detail}).',
  },
  SIGNATURE_CONTENT_MISMATCH: {
    kind: 'remote',
    de: 'Die Signatur passt nicht zum Inhalt ({detail}).',
    en: 'The signature does not match the content ({detail}).',
  },
  SIGNATURE_CONTENT_CHANGED: {
    kind: 'remote',
    de: 'Der Inhalt wurde nach dem Signieren verändert (Prüfsumme stimmt nicht).',
    en: 'The content was changed after signing (digest mismatch).',
  },
  SIGNATURE_OTHER_CONTENT: {
    kind: 'remote',
    de: 'Die Signatur trägt einen anderen Inhalt als den Nachrichtenteil, den sie signiert.',
    en: 'The signature carries other content than the message part it signs.',
  },
  SIGNATURE_CONTENT_MISSING: {
    kind: 'remote',
    de: 'Der signierte Inhalt fehlt.',
    en: 'The signed content is missing.',
  },
  SIGNATURE_NO_SIGNER: {
    kind: 'remote',
    de: 'Die Signatur nennt keinen Unterzeichner.',
    en: 'The signature names no signer.',
  },
  SIGNATURE_SEVERAL_SIGNERS: {
    kind: 'remote',
    de: 'Die Signatur nennt mehrere Unterzeichner; das wird nicht unterstützt.',
    en: 'The signature names several signers; this is not supported.',
  },
  SIGNATURE_ATTRIBUTES_INCOMPLETE: {
    kind: 'remote',
    de: 'Den signierten Attributen fehlt contentType oder messageDigest.',
    en: 'The signed attributes lack contentType or messageDigest.',
  },
  SIGNATURE_CONTENT_TYPE_MISMATCH: {
    kind: 'remote',
    de: 'Das contentType-Attribut passt nicht zum signierten Inhalt.',
    en: 'The contentType attribute does not match the signed content.',
  },
  SIGNATURE_ATTRIBUTES_MISSING: {
    kind: 'remote',
    de: 'Signierte Attribute fehlen bei einem Inhalt, der keine Daten sind.',
    en: 'Signed attributes are missing for non-data content.',
  },
  SIGNATURE_NEEDS_CONTENT: {
    kind: 'bug',
    de: 'Eine Signatur ohne signierte Attribute braucht den Inhalt im Speicher ({digest}).',
    en: 'A signature without signed attributes needs the content in memory ({digest}).',
  },
  SIGNATURE_FUTURE: {
    kind: 'remote',
    de: 'Der Signaturzeitpunkt liegt in der Zukunft.',
    en: 'The signing time lies in the future.',
  },
  SIGNATURE_CERTIFICATE_INVALID: {
    kind: 'remote',
    de: 'Das Zertifikat des Unterzeichners ist nicht gültig: {detail}.',
    en: "The signer's certificate is not valid: {detail}.",
  },
  SIGNATURE_CERTIFICATE_REVOKED_OCSP: {
    kind: 'remote',
    de: 'Das Zertifikat {subject} ist gesperrt (seit {since}, laut OCSP).',
    en: 'The certificate {subject} is revoked (since {since}, per OCSP).',
  },
  SIGNATURE_CERTIFICATE_PURPOSE: {
    kind: 'remote',
    de: 'Das Zertifikat des Unterzeichners taugt nicht für signierte E-Mail: {detail}.',
    en: "The signer's certificate is not fit for signed e-mail: {detail}.",
  },
  SIGNATURE_NO_USABLE: {
    kind: 'remote',
    de: 'Der Signaturteil enthält keine verwendbare Signatur.',
    en: 'The signature part holds no usable signature.',
  },
  SIGNATURE_DAMAGED: {
    kind: 'remote',
    de: 'Die Signatur ist beschädigt ({detail}).',
    en: 'The signature is damaged ({detail}).',
  },
  // signature: none, and why
  SIGNATURE_ONLY_CIPHERTEXT: {
    kind: 'remote',
    de: 'Die Signatur deckt nur die verschlüsselte Form ab, nicht die Nachricht selbst; sie wird nicht als signiert angezeigt.',
    en: 'The signature covers only the encrypted form, not the message itself; it is not shown as signed.',
  },
  SIGNATURE_PARTIAL: {
    kind: 'remote',
    de: 'Nur ein Teil der Nachricht ist signiert; die Nachricht wird nicht als signiert angezeigt.',
    en: 'Only a part of the message is signed; the message is not shown as signed.',
  },
  SIGNATURE_INLINE_PARTIAL: {
    kind: 'remote',
    de: 'Nur ein Teil des Textes ist signiert; die Nachricht wird nicht als signiert angezeigt.',
    en: 'Only a part of the text is signed; the message is not shown as signed.',
  },
  // warnings (security.warnings[].code is the kebab-case form without WARNING_)
  WARNING_FROM_DISPLAY_ADDRESS: {
    kind: 'remote',
    de: 'Der Absendername zeigt die Adresse {shown}, gesendet wurde aber von {address}.',
    en: "The sender's name shows the address {shown}, but the message is from {address}.",
  },
  WARNING_SEVERAL_FROM: {
    kind: 'remote',
    de: 'Die Nachricht nennt {count} Absenderadressen statt genau einer.',
    en: 'The message names {count} sender addresses instead of exactly one.',
  },
  WARNING_SENDER_DIFFERS: {
    kind: 'remote',
    de: 'Das Feld „Sender“ nennt {sender}, nicht den Absender {from}.',
    en: 'The Sender field names {sender}, not the sender {from}.',
  },
  WARNING_REPLY_TO_DIFFERS: {
    kind: 'remote',
    de: 'Antworten gehen an {replyTo}, nicht an den Absender {from}. Prüfen Sie die Adresse, bevor Sie antworten.',
    en: 'Replies go to {replyTo}, not to the sender {from}. Check the address before you reply.',
  },
  WARNING_DATE_GAP: {
    kind: 'remote',
    de: 'Die Signatur wurde am {signed} erstellt, weit entfernt vom Datum der Nachricht ({date}).',
    en: 'The signature was made {signed}, far from the Date header ({date}).',
  },
  WARNING_UNAUTHENTICATED_ENCRYPTION: {
    kind: 'remote',
    de: 'Die Verschlüsselung ({cipher}) schützt nicht vor Veränderung, und keine gültige Signatur deckt den Inhalt: Er könnte unterwegs verändert worden sein.',
    en: 'The encryption ({cipher}) does not protect against changes and no valid signature covers the content: it may have been changed on the way.',
  },
  WARNING_PARTLY_PROTECTED: {
    kind: 'remote',
    de: 'Nur ein Teil des Angezeigten ist verschlüsselt oder signiert; die übrigen Teile sind ungeschützt.',
    en: 'Only a part of what is shown is encrypted or signed; the other parts are unprotected.',
  },
  WARNING_ENCRYPTED_PART_NOT_OPENED: {
    kind: 'remote',
    de: 'Ein verschlüsselter Teil, der nicht die ganze Nachricht ist, wurde nicht geöffnet.',
    en: 'An encrypted part that is not the whole message was left closed.',
  },
  WARNING_SENDER_KEY_CHANGED: {
    kind: 'remote',
    de: 'Der Schlüssel oder das Zertifikat von {address} ist ein anderes als beim letzten Mal. Prüfen Sie den Fingerabdruck auf einem anderen Weg.',
    en: 'The key or certificate of {address} differs from the one last seen. Check the fingerprint on another channel.',
  },
  WARNING_FIRST_CONTACT: {
    kind: 'remote',
    de: 'Von {address} ist bisher keine Nachricht bekannt.',
    en: 'No earlier message from {address} is known.',
  },
  WARNING_PLAINTEXT_HOP: {
    kind: 'remote',
    de: 'Die Nachricht lief unterwegs unverschlüsselt ({hop}), obwohl eine Regel für {domain} TLS verlangt.',
    en: 'The message travelled without TLS on the way ({hop}) although a rule for {domain} requires TLS.',
  },
  WARNING_CERTIFICATE_REVOKED_LATER: {
    kind: 'remote',
    de: 'Nach dem Signieren gesperrt, nicht wegen eines kompromittierten Schlüssels: {subjects}.',
    en: 'Revoked after the signing time, not for a key compromise: {subjects}.',
  },
  WARNING_NO_SIGNING_TIME: {
    kind: 'remote',
    de: 'Die Signatur trägt keinen Zeitpunkt; das Zertifikat wurde zum jetzigen Zeitpunkt geprüft.',
    en: 'The signature carries no signing time; the certificate was checked at the current time.',
  },
  WARNING_SIGNATURE_DAMAGED: {
    kind: 'remote',
    de: 'Die Nachricht enthält eine beschädigte Signatur ({detail}); sie wird daher als nicht signiert angezeigt.',
    en: 'The message carries a damaged signature ({detail}), so it is shown as not signed.',
  },
  WARNING_SIGNATURE_ONLY_CIPHERTEXT: {
    kind: 'remote',
    de: 'Die Signatur deckt nur die verschlüsselte Form ab, nicht die Nachricht selbst; sie wird nicht als signiert angezeigt.',
    en: 'The signature covers only the encrypted form, not the message itself; it is not shown as signed.',
  },
} as const satisfies Record<string, ErrorEntry>
