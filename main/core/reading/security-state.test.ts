import { describe, expect, it } from 'vitest'
import type { ReadingDocument } from './reading-document.ts'
import { securityStates, securitySummaryOf, type SecurityStateId } from './security-state.ts'

type Security = ReadingDocument['security']
const none = { state: 'none', technology: null, reason: '' } as const
const noSignature = { state: 'none', technology: null, signer: null, acceptance: null, reason: '' } as const

function doc(security: Partial<Security>, extra: Partial<ReadingDocument> = {}): ReadingDocument {
  return {
    headers: {
      from: 'Kanzlei <info@kanzlei.example>',
      to: ['mandant@example.org'],
      subject: 'Bescheid',
      date: '2026-03-12T09:14:00.000Z',
    },
    security: { encryption: none, signature: noSignature, transport: { tls: 'yes', hops: [] }, ...security },
    ...extra,
  }
}
const encrypted = { state: 'encrypted', technology: 'openpgp', reason: '' } as const
const valid = (acceptance: 'verified' | 'unverified') =>
  ({ state: 'valid', technology: 'openpgp', signer: 'info@kanzlei.example', acceptance, reason: '' }) as const
const sig = (state: 'invalid' | 'unknown-key' | 'mismatch', code: string | null = null) =>
  ({ state, technology: 'smime', signer: null, acceptance: null, reason: '', code }) as const

const cases: [SecurityStateId, ReadingDocument, { code: string; text: string }[]?][] = [
  ['encrypted-verified', doc({ encryption: encrypted, signature: valid('verified') })],
  ['encrypted-unverified', doc({ encryption: encrypted, signature: valid('unverified') })],
  ['encrypted-unknown-key', doc({ encryption: encrypted, signature: sig('unknown-key') })],
  ['encrypted-unsigned', doc({ encryption: encrypted })],
  ['signed', doc({ signature: valid('unverified') })],
  ['mismatch', doc({ encryption: encrypted, signature: sig('mismatch') })],
  ['invalid', doc({ signature: sig('invalid', 'SIGNATURE_CONTENT_MISMATCH') })],
  ['signature-not-valid', doc({ signature: sig('invalid', 'SIGNATURE_KEY_NOT_VALID_THEN') })],
  [
    'cannot-decrypt',
    doc({ encryption: { state: 'failed', technology: 'smime', reason: 'no key', code: 'ENCRYPTION_NOT_FOR_YOU' } }),
  ],
  [
    'insecure-encryption',
    doc({ encryption: { state: 'failed', technology: 'openpgp', reason: 'no MDC', code: 'ENCRYPTION_NO_INTEGRITY' } }),
  ],
  [
    'partly-protected',
    doc(
      { encryption: encrypted, signature: valid('verified') },
      {
        parts: [
          { kind: 'text', encrypted: true, signed: true },
          { kind: 'attachment', encrypted: false, signed: false },
        ],
      },
    ),
  ],
  ['plain', doc({})],
  ['key-changed', doc({ signature: valid('unverified') }), [{ code: 'sender-key-changed', text: '' }]],
]

describe('the 13 states of the security summary (UI.md §2.2)', () => {
  it.each(cases)('maps to %s', (state, document, warnings) => {
    const summary = securitySummaryOf(document, warnings)
    expect(summary.state).toBe(state)
    expect(summary.number).toBe(securityStates[state])
  })

  it('covers every state exactly once', () => {
    expect(new Set(cases.map(([state]) => securityStates[state]))).toEqual(
      new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]),
    )
  })

  it('is green only for encrypted with a valid signature, and hides the content only when nothing could be opened', () => {
    for (const [state, document, warnings] of cases) {
      const summary = securitySummaryOf(document, warnings)
      expect(summary.tone === 'good', state).toBe(state === 'encrypted-verified' || state === 'encrypted-unverified')
      expect(summary.isContentHidden, state).toBe(state === 'cannot-decrypt' || state === 'insecure-encryption')
    }
  })

  it('never lets a changed key or partial protection hide a broken signature', () => {
    const broken = doc(
      { signature: sig('invalid') },
      {
        parts: [
          { kind: 'text', encrypted: false, signed: true },
          { kind: 'text', encrypted: false, signed: false },
        ],
      },
    )
    expect(securitySummaryOf(broken, [{ code: 'sender-key-changed', text: '' }]).state).toBe('invalid')
  })

  it('reads partial protection from the partly-protected warning and from the parts', () => {
    expect(
      securitySummaryOf(doc({ signature: valid('unverified'), warnings: [{ code: 'partly-protected', text: '' }] }))
        .state,
    ).toBe('partly-protected')
    const closed = doc(
      {},
      {
        parts: [
          { kind: 'text', encrypted: false, signed: false },
          { kind: 'not-opened', encrypted: true, signed: false },
        ],
      },
    )
    expect(securitySummaryOf(closed).state).toBe('partly-protected')
  })

  it('says why a signature is not valid, and treats a signed-only mail from an unknown key as not checkable', () => {
    expect(securitySummaryOf(doc({ signature: sig('invalid', 'SIGNATURE_KEY_REVOKED') })).notValidBecause).toBe(
      'revoked',
    )
    expect(
      securitySummaryOf(doc({ signature: sig('invalid', 'SIGNATURE_CERTIFICATE_REVOKED_OCSP') })).notValidBecause,
    ).toBe('revoked')
    expect(securitySummaryOf(doc({ signature: sig('invalid', 'SIGNATURE_CERTIFICATE_INVALID') })).notValidBecause).toBe(
      'certificate-invalid',
    )
    expect(securitySummaryOf(doc({ signature: sig('invalid', 'SIGNATURE_CONTENT_CHANGED') })).state).toBe('invalid')
    const unknown = securitySummaryOf(doc({ signature: sig('unknown-key') }))
    expect([unknown.state, unknown.notValidBecause]).toEqual(['signature-not-valid', 'unknown-key'])
  })

  it('offers a backup only when the private key is missing, not for a damaged or altered message', () => {
    const failed = (code: string) =>
      securitySummaryOf(doc({ encryption: { state: 'failed', technology: 'openpgp', reason: '', code } }))
    expect([failed('ENCRYPTION_NOT_FOR_YOU').state, failed('ENCRYPTION_NOT_FOR_YOU').isKeyMissing]).toEqual([
      'cannot-decrypt',
      true,
    ])
    expect([failed('ENCRYPTION_DAMAGED').state, failed('ENCRYPTION_DAMAGED').isKeyMissing]).toEqual([
      'cannot-decrypt',
      false,
    ])
    expect(failed('ENCRYPTION_ALTERED').state).toBe('insecure-encryption')
  })

  it('keeps the document’s warnings and adds the reading’s without doubling a code', () => {
    const document = doc({
      warnings: [
        { code: 'date-gap', text: 'x' },
        { code: 'first-contact', text: 'y' },
      ],
    })
    const summary = securitySummaryOf(document, [
      { code: 'first-contact', text: 'z' },
      { code: 'plaintext-hop', text: 'p' },
    ])
    expect(summary.warnings.map((w) => w.code)).toEqual(['date-gap', 'first-contact', 'plaintext-hop'])
  })
})
