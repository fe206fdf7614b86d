import type { ErrorEntry } from './entry.ts'

/** The size-limit override of SIEGELPOST_LIMITS_FILE (main/core/limits-override.ts): measurements only. */
export const limitsCodes = {
  LIMITS_FILE_UNREADABLE: {
    kind: 'user',
    de:
      'Die Grenzwert-Datei {path} aus SIEGELPOST_LIMITS_FILE lässt sich nicht lesen ({reason}). ' +
      'Prüfen Sie den Pfad oder entfernen Sie die Variable.',
    en:
      'The limits file {path} named by SIEGELPOST_LIMITS_FILE cannot be read ({reason}). ' +
      'Check the path or unset the variable.',
  },
  LIMITS_FILE_NOT_JSON: {
    kind: 'user',
    de:
      'Die Grenzwert-Datei {path} ist kein JSON-Objekt. Schreiben Sie z. B. {"attachmentMaxBytes": 2147483648} ' +
      'hinein oder entfernen Sie SIEGELPOST_LIMITS_FILE.',
    en:
      'The limits file {path} is not a JSON object. Write e.g. {"attachmentMaxBytes": 2147483648} into it ' +
      'or unset SIEGELPOST_LIMITS_FILE.',
  },
  LIMITS_FILE_UNKNOWN_KEY: {
    kind: 'user',
    de:
      'Die Grenzwert-Datei {path} nennt „{key}“. Nur diese Größen-Grenzwerte lassen sich anheben: {allowed}. ' +
      'Entfernen Sie den Eintrag.',
    en: 'The limits file {path} names "{key}". Only these size limits can be raised: {allowed}. Remove the entry.',
  },
  LIMITS_FILE_BAD_VALUE: {
    kind: 'user',
    de:
      'Die Grenzwert-Datei {path} setzt „{key}“ auf {value}. Die Datei kann Grenzwerte nur anheben: ' +
      'Geben Sie eine ganze Zahl von Bytes ab {policy} an oder entfernen Sie den Eintrag.',
    en:
      'The limits file {path} sets "{key}" to {value}. The file can only raise limits: ' +
      'give a whole number of bytes of at least {policy} or remove the entry.',
  },
} as const satisfies Record<string, ErrorEntry>
