import type { ErrorEntry } from './entry.ts'

/** S/MIME certificates and CMS. */
export const smimeCodes = {
  SMIME_MALFORMED: {
    kind: 'user',
    de: 'Die Daten ({what}) sind beschädigt oder unvollständig. Lassen Sie sich die Datei oder Nachricht erneut senden.',
    en: 'The data ({what}) is damaged or incomplete. Ask for the file or message to be sent again.',
  },
  SMIME_UNSUPPORTED: {
    kind: 'user',
    de: 'Siegelpost kennt dieses Verfahren nicht: {what}. Bitten Sie den Absender um eine Datei mit aktuellen Verfahren (AES, SHA-256).',
    en: 'Siegelpost does not support this method: {what}. Ask the sender for a file using current methods (AES, SHA-256).',
  },
  SMIME_KEY_WITHOUT_CERTIFICATE: {
    kind: 'user',
    de: 'Die Datei enthält einen privaten Schlüssel ohne passendes Zertifikat. Exportieren Sie den Schlüssel zusammen mit seinem Zertifikat.',
    en: 'The file holds a private key without a matching certificate. Export the key together with its certificate.',
  },
  SMIME_EXPORT_FORMAT: {
    kind: 'user',
    de: 'Das Format „{format}“ passt nicht: {allowed}.',
    en: 'The format "{format}" does not fit: {allowed}.',
  },
  SMIME_NOT_A_CA: {
    kind: 'user',
    de: 'Das Zertifikat „{subject}“ ist kein Zertifizierungsstellen-Zertifikat und kann kein Vertrauensanker sein. Wählen Sie das Wurzelzertifikat Ihrer Zertifizierungsstelle.',
    en: 'The certificate "{subject}" is not a certification authority certificate and cannot be a trust anchor. Choose your CA\'s root certificate.',
  },
  SMIME_NO_CERTIFICATE: {
    kind: 'user',
    de: 'Die Datei {path} enthält kein Zertifikat. Erwartet: .pem, .crt, .cer, .der oder .p7b.',
    en: 'The file {path} holds no certificate. Expected: .pem, .crt, .cer, .der or .p7b.',
  },
  SMIME_DECRYPT_FAILED: {
    kind: 'user',
    de: 'Die Nachricht lässt sich mit Ihren Schlüsseln nicht entschlüsseln. Sie ist nicht an Sie verschlüsselt oder beschädigt; bitten Sie den Absender, sie erneut zu senden.',
    en: 'The message cannot be decrypted with your keys. It is not encrypted to you or it is damaged; ask the sender to send it again.',
  },
  SMIME_NO_SIGNING_KEY: {
    kind: 'user',
    de: 'Für {id} gibt es keinen privaten S/MIME-Schlüssel zum Signieren. Importieren Sie Ihre .p12-Datei.',
    en: 'There is no private S/MIME key for {id} to sign with. Import your .p12 file.',
  },
  SMIME_CSR_NEEDS_IDENTITY: {
    kind: 'user',
    de: '„keys csr --new“ braucht eine gültige E-Mail-Adresse bei --email, z. B. name@kanzlei.de.',
    en: '"keys csr --new" needs a valid e-mail address with --email, for example name@example.com.',
  },
  SMIME_BAD_DATE: {
    kind: 'user',
    de: 'Ungültiges Datum „{value}“. Erwartet wird ein ISO-Datum wie 2026-01-31T12:00:00Z.',
    en: 'Invalid date "{value}". Expected an ISO date such as 2026-01-31T12:00:00Z.',
  },
} as const satisfies Record<string, ErrorEntry>
