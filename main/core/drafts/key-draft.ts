import type { StoredKey } from '../keys/stored-key.ts'
import type { NewDraft } from './draft-store.ts'

/** The fingerprint in groups of four, as the key manager shows it for reading aloud. */
const grouped = (fingerprint: string) => fingerprint.match(/.{1,4}/g)!.join(' ')

/**
 * "Als Entwurf teilen": a new mail draft with the user's public key or certificate attached, and a
 * short text that says what the attachment is and that the fingerprint must be compared by phone.
 */
export function keyShareDraft(
  key: StoredKey,
  attachment: { fileName: string; bytes: Uint8Array },
  lang: 'de' | 'en',
): NewDraft {
  const pgp = key.technology === 'openpgp'
  const fingerprint = grouped(key.fingerprint)
  const text =
    lang === 'de'
      ? {
          subject: pgp ? 'Mein öffentlicher Schlüssel' : 'Mein Zertifikat für verschlüsselte E-Mail',
          body: [
            'Guten Tag,',
            '',
            pgp
              ? `im Anhang finden Sie meinen öffentlichen OpenPGP-Schlüssel (${attachment.fileName}). Damit können Sie mir verschlüsselt schreiben und meine Signaturen prüfen.`
              : `im Anhang finden Sie mein S/MIME-Zertifikat (${attachment.fileName}). Damit können Sie mir verschlüsselt schreiben und meine Signaturen prüfen.`,
            'Der Anhang enthält nichts Geheimes – mein privater Schlüssel bleibt bei mir.',
            '',
            'Bitte gleichen Sie vor der ersten Verwendung den Fingerabdruck mit mir telefonisch ab:',
            fingerprint,
            '',
            'Mit freundlichen Grüßen',
            key.name,
          ],
        }
      : {
          subject: pgp ? 'My public key' : 'My certificate for encrypted e-mail',
          body: [
            'Hello,',
            '',
            pgp
              ? `attached is my public OpenPGP key (${attachment.fileName}). With it you can write to me encrypted and check my signatures.`
              : `attached is my S/MIME certificate (${attachment.fileName}). With it you can write to me encrypted and check my signatures.`,
            'The attachment holds nothing secret – my private key stays with me.',
            '',
            'Before you use it for the first time, please compare the fingerprint with me by phone:',
            fingerprint,
            '',
            'Kind regards',
            key.name,
          ],
        }
  return {
    to: [],
    subject: text.subject,
    body: text.body.join('\n'),
    attachments: [
      {
        fileName: attachment.fileName,
        contentType: pgp ? 'application/pgp-keys' : 'application/x-pem-file',
        bytes: attachment.bytes,
      },
    ],
  }
}
