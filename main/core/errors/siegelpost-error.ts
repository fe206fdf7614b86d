import { errorTable, type ErrorCode, type ErrorKind } from './codes.ts'

export type Lang = 'de' | 'en'
export type ErrorParams = Readonly<Record<string, string | number>>

/** The wire form of an error: what crosses IPC and what `--json` tools could print. */
export interface ErrorInfo {
  code: ErrorCode
  kind: ErrorKind
  message: { de: string; en: string }
}

export function formatMessage(code: ErrorCode, lang: Lang, params: ErrorParams = {}): string {
  return errorTable[code][lang].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  )
}

/** The one error class: a code from the table, params for its text, and the cause for logs. */
export class SiegelpostError extends Error {
  override readonly name = 'SiegelpostError'
  readonly code: ErrorCode
  readonly params: ErrorParams

  constructor(code: ErrorCode, params: ErrorParams = {}, options?: { cause?: unknown }) {
    super(formatMessage(code, 'en', params), options)
    this.code = code
    this.params = params
  }

  get kind(): ErrorKind {
    return errorTable[this.code].kind
  }

  localized(lang: Lang): string {
    return formatMessage(this.code, lang, this.params)
  }

  toInfo(): ErrorInfo {
    return { code: this.code, kind: this.kind, message: { de: this.localized('de'), en: this.localized('en') } }
  }
}

/** Anything thrown that is not ours is a bug; its message may carry internals, so only its class name goes out. */
export function toSiegelpostError(error: unknown): SiegelpostError {
  if (error instanceof SiegelpostError) return error
  const reason = error instanceof Error ? error.name : typeof error
  return new SiegelpostError('INTERNAL', { reason }, { cause: error })
}
