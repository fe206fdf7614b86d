import type { ReadingView } from '../../../preload/mail-contract'
import type { IconName } from './icons'
import type { MailWord } from './words'

type Summary = ReadingView['summary']

/** The bar's icons: symbols beside the words always (never colour alone). */
export const stateIcons: Record<Summary['state'], IconName[]> = {
  'encrypted-verified': ['lock', 'check'],
  'encrypted-unverified': ['lock'],
  'encrypted-unknown-key': ['lock', 'question'],
  'encrypted-unsigned': ['lock'],
  signed: ['seal'],
  mismatch: ['seal', 'warning'],
  invalid: ['cross'],
  'signature-not-valid': ['seal', 'ban'],
  'cannot-decrypt': ['lock', 'cross'],
  'insecure-encryption': ['lock', 'cross'],
  'partly-protected': ['half'],
  plain: ['lock-open'],
  'key-changed': ['seal', 'renew'],
}

/** Title and qualifier of the bar (UI.md §2.2: title + one qualifier line). */
export function stateWords(
  view: ReadingView,
  w: (key: MailWord, params?: Record<string, string>) => string,
): { title: string; qualifier: string } {
  const { state, notValidBecause } = view.summary
  const name = view.signer?.name || view.signature.signer || view.headers.fromAddresses[0] || ''
  const why = notValidBecause ? w(`why.${notValidBecause}`) : ''
  const key: MailWord =
    state === 'cannot-decrypt' && !view.summary.isKeyMissing ? 'state.cannot-decrypt-damaged' : `state.${state}`
  const [title = '', qualifier = ''] = w(key, { name, why }).split('|')
  return { title, qualifier }
}

export function warningWords(code: string, fallback: string, w: (key: MailWord) => string): string {
  const key = `warning.${code}` as MailWord
  const known = [
    'from-display-address',
    'several-from',
    'sender-differs',
    'reply-to-differs',
    'date-gap',
    'unauthenticated-encryption',
    'partly-protected',
    'encrypted-part-not-opened',
    'sender-key-changed',
    'first-contact',
    'plaintext-hop',
  ]
  return known.includes(code) ? w(key) : fallback
}
