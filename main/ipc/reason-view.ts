import { formatMessage } from '../core/errors/siegelpost-error.ts'
import type { Reason } from '../core/transport/outbox.ts'

interface ReasonInBothLanguages {
  code: string
  message: { de: string; en: string }
}

/** A reason from the error table, in both languages (the UI picks one). */
export function reasonView(reason: Reason): ReasonInBothLanguages
export function reasonView(reason: Reason | null): ReasonInBothLanguages | null
export function reasonView(reason: Reason | null): ReasonInBothLanguages | null {
  if (reason === null) return null
  const message = { de: formatMessage(reason.code, 'de', reason.params), en: formatMessage(reason.code, 'en', reason.params) }
  return { code: reason.code, message }
}
