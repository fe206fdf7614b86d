import type { KeySummary } from '../../../preload/contract'
import type { MessageKey } from '../i18n'

/** Keys that expire within this many days show "expires soon". */
export const expiresSoonDays = 30

export type KeyState = 'valid' | 'incomplete' | 'expiresSoon' | 'expired' | 'revoked' | 'unusable'

/**
 * The status the key manager shows: the stored verdict, plus "expires soon" as a display hint.
 * A certificate whose chain cannot be built (`chainIncomplete`) is never shown as plainly valid:
 * Siegelpost cannot confirm signatures made with it until the chain is imported.
 */
export function keyState(key: KeySummary, now: Date, chainIncomplete = false): KeyState {
  if (key.status !== 'valid') return key.status
  if (chainIncomplete) return 'incomplete'
  if (key.expires && Date.parse(key.expires) - now.getTime() < expiresSoonDays * 86_400_000) return 'expiresSoon'
  return 'valid'
}

export const stateText: Record<KeyState, MessageKey> = {
  valid: 'keys.state.valid',
  incomplete: 'keys.state.incomplete',
  expiresSoon: 'keys.state.expiresSoon',
  expired: 'keys.state.expired',
  revoked: 'keys.state.revoked',
  unusable: 'keys.state.unusable',
}

/** A symbol beside every state text, so colour is never the only cue. */
export const stateSymbol: Record<KeyState, string> = {
  valid: '✓',
  incomplete: '⚠',
  expiresSoon: '⚠',
  expired: '✕',
  revoked: '✕',
  unusable: '✕',
}

/** Fingerprints in groups of four, as people read them aloud. */
export function groupFingerprint(fingerprint: string): string {
  return fingerprint.match(/.{1,4}/g)?.join(' ') ?? fingerprint
}

export function matchesSearch(key: KeySummary, search: string): boolean {
  const needle = search.trim().toLowerCase()
  if (!needle) return true
  const compact = needle.replace(/[\s:]/g, '')
  return (
    key.name.toLowerCase().includes(needle) ||
    key.emails.some((email) => email.toLowerCase().includes(needle)) ||
    (compact.length >= 4 && key.fingerprint.toLowerCase().includes(compact))
  )
}

export type KeyFilter = 'all' | 'own' | 'others' | 'openpgp' | 'smime'

export function matchesFilter(key: KeySummary, filter: KeyFilter): boolean {
  switch (filter) {
    case 'all':
      return true
    case 'own':
      return key.hasSecret
    case 'others':
      return !key.hasSecret
    default:
      return key.technology === filter
  }
}

export function formatDate(iso: string, lang: 'de' | 'en'): string {
  return new Date(iso).toLocaleDateString(lang === 'de' ? 'de-DE' : 'en-GB', {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  })
}
