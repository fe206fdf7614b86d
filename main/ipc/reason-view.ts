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
  const { code, params } = reason
  return { code, message: { de: formatMessage(code, 'de', params), en: formatMessage(code, 'en', params) } }
}
