import type { TransportTrail } from '../transport/received-trail.ts'

/**
 * The `open --json` document as the read view consumes it (CLI.md "Messages" and "Verdict codes
 * and warnings"). The verdict codes, the warnings, `parts` and the extra header fields are
 * optional here so that documents without them (older builds) still map to a state.
 */
export type EncryptionState = 'encrypted' | 'none' | 'failed'
export type SignatureState = 'valid' | 'invalid' | 'unknown-key' | 'mismatch' | 'none'
export type Technology = 'smime' | 'openpgp'

export interface DocumentWarning {
  code: string
  text: string
}

export interface DocumentPart {
  kind: 'text' | 'html' | 'attachment' | 'not-opened'
  encrypted: boolean
  signed: boolean
}

export interface ReadingDocument {
  headers: {
    from: string
    to: string[]
    subject: string
    date: string
    cc?: string[]
    replyTo?: string[]
    sender?: string[]
  }
  security: {
    encryption: { state: EncryptionState; technology: Technology | null; reason: string; code?: string | null }
    signature: {
      state: SignatureState
      technology: Technology | null
      signer: string | null
      acceptance: 'verified' | 'unverified' | null
      reason: string
      code?: string | null
    }
    transport: TransportTrail
    warnings?: DocumentWarning[]
  }
  parts?: DocumentPart[]
}
