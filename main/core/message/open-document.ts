import { reasonText, type ErrorCode, type ErrorParams, type Lang, type Reason } from '../errors/index.ts'
import type { TransportTrail } from '../transport/received-trail.ts'
import type { OfferedKey } from './technology.ts'
import { warningText, type Warning, type WarningCode } from './verdict.ts'

/**
 * The `open --json` document of CLI.md, plus offered keys (an extension; never imported silently).
 * Every verdict and warning carries its code and params from the error table and the text made
 * from them in the language of the call (`reason`, `text`); `localizeDocument` makes it again in
 * another language.
 */
export interface OpenDocument {
  headers: {
    from: string
    to: string[]
    cc: string[]
    replyTo: string[]
    sender: string[]
    subject: string
    date: string
  }
  security: {
    encryption: EncryptionVerdict
    signature: SignatureVerdict
    warnings: WarningView[]
    transport: TransportTrail
  }
  text: string
  parts: PartView[]
  attachments: { filename: string; contentType: string; size: number; sha256: string }[]
  offeredKeys: OfferedKey[]
}

/** A verdict's reason as shown: the code (null when there is nothing to say), its params, and its text. */
export interface VerdictText {
  code: ErrorCode | null
  params: ErrorParams
  reason: string
}

export interface EncryptionVerdict extends VerdictText {
  state: 'encrypted' | 'none' | 'failed'
  technology: 'smime' | 'openpgp' | null
}

export interface SignatureVerdict extends VerdictText {
  state: 'valid' | 'invalid' | 'unknown-key' | 'mismatch' | 'none'
  technology: 'smime' | 'openpgp' | null
  signer: string | null
  acceptance: 'verified' | 'unverified' | null
}

export interface WarningView {
  code: WarningCode
  params: ErrorParams
  text: string
}

/** One displayed part, in order, and how it was protected (`not-opened`: an encrypted part left closed). */
export interface PartView {
  kind: 'text' | 'html' | 'attachment' | 'not-opened'
  encrypted: boolean
  signed: boolean
}

export function verdictText(value: Reason | null, lang: Lang): VerdictText {
  if (!value) return { code: null, params: {}, reason: '' }
  return { code: value.code, params: value.params, reason: reasonText(value, lang) }
}

export function warningView(value: Warning, lang: Lang): WarningView {
  return { code: value.code, params: value.params, text: warningText(value, lang) }
}

/** The same document with every reason and warning text in `lang` (codes and params unchanged). */
export function localizeDocument(document: OpenDocument, lang: Lang): OpenDocument {
  const again = <T extends VerdictText>(verdict: T): T => {
    const why = verdict.code ? { code: verdict.code, params: verdict.params } : null
    return { ...verdict, ...verdictText(why, lang) }
  }
  return {
    ...document,
    security: {
      ...document.security,
      encryption: again(document.security.encryption),
      signature: again(document.security.signature),
      warnings: document.security.warnings.map((view) => warningView(view, lang)),
    },
  }
}
