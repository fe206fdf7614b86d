import type { ErrorEntry } from './entry.ts'

/** OpenPGP keys, revocation certificates and key discovery (WKD). */
export const openpgpCodes = {
  OPENPGP_KEY_UNREADABLE: {
    kind: 'user',
    de: 'Die Datei {file} enthält keinen lesbaren OpenPGP-Schlüssel. Ist sie vollständig? Lassen Sie sie sich gegebenenfalls erneut schicken.',
    en: 'The file {file} holds no readable OpenPGP key. Is it complete? If not, ask for it again.',
  },
  OPENPGP_EXPORT_FORMAT: {
    kind: 'user',
    de: 'OpenPGP-Schlüssel lassen sich nur als „asc“ exportieren, nicht als „{format}“. Lassen Sie --format weg.',
    en: 'OpenPGP keys can only be exported as "asc", not as "{format}". Leave out --format.',
  },
  OPENPGP_KEY_UNUSABLE: {
    kind: 'user',
    de: 'Der Schlüssel {id} ist nicht verwendbar ({reason}). Bitten Sie den Inhaber um einen aktuellen Schlüssel.',
    en: 'The key {id} cannot be used ({reason}). Ask its owner for a current key.',
  },
  OPENPGP_REVOCATION_NO_KEY: {
    kind: 'user',
    de: 'Die Datei {file} ist ein Widerrufszertifikat, aber kein Schlüssel im Tresor passt dazu. Importieren Sie zuerst den Schlüssel, den es widerruft.',
    en: 'The file {file} is a revocation certificate, but no key in the vault matches it. Import the key it revokes first.',
  },
  WKD_NOT_FOUND: {
    kind: 'user',
    de: 'Für {address} hat Siegelpost im Web Key Directory keinen Schlüssel gefunden (kein Eintrag, oder der Server war nicht erreichbar). Bitten Sie die Person um ihren öffentlichen Schlüssel als Datei.',
    en: 'Siegelpost found no key for {address} in the Web Key Directory (no entry, or the server could not be reached). Ask the person for their public key as a file.',
  },
} as const satisfies Record<string, ErrorEntry>
