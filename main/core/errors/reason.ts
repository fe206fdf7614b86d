import type { ErrorCode } from './codes.ts'
import { formatMessage, type ErrorParams, type Lang } from './siegelpost-error.ts'

/**
 * The one reason type of the core: a code of the error table and the params for its text. Held
 * messages, policy decisions, verdicts and warnings all carry it; the text is made from it in the
 * reader's language only where it is shown (CLI output, IPC), never compared anywhere.
 */
export interface Reason {
  code: ErrorCode
  params: ErrorParams
}

export const reason = (code: ErrorCode, params: ErrorParams = {}): Reason => ({ code, params })

export function reasonText(value: Reason, lang: Lang): string {
  return formatMessage(value.code, lang, value.params)
}
