import { describe, expect, it } from 'vitest'
import type { KeySummary } from '../../../preload/contract'
import { groupFingerprint, keyState, matchesFilter, matchesSearch } from './key-state'

const key: KeySummary = {
  id: 'ABCD',
  fingerprint: '0123456789ABCDEF0123456789ABCDEF01234567',
  technology: 'openpgp',
  name: 'Anna Beraterin',
  emails: ['anna@kanzlei.test'],
  hasSecret: false,
  acceptance: 'unverified',
  created: '2026-01-01T00:00:00.000Z',
  expires: null,
  status: 'valid',
  usage: ['sign'],
}
const now = new Date('2026-06-01T00:00:00Z')

describe('key manager display rules', () => {
  it('says "expires soon" within 30 days and keeps stored verdicts', () => {
    expect(keyState(key, now)).toBe('valid')
    expect(keyState({ ...key, expires: '2026-06-20T00:00:00Z' }, now)).toBe('expiresSoon')
    expect(keyState({ ...key, expires: '2026-08-01T00:00:00Z' }, now)).toBe('valid')
    expect(keyState({ ...key, status: 'revoked', expires: '2026-06-20T00:00:00Z' }, now)).toBe('revoked')
  })

  it('never calls a certificate plainly valid while its chain cannot be built', () => {
    expect(keyState(key, now, true)).toBe('incomplete')
    expect(keyState({ ...key, status: 'expired' }, now, true)).toBe('expired')
  })

  it('finds keys by name, address or a grouped fingerprint fragment', () => {
    expect(matchesSearch(key, 'anna')).toBe(true)
    expect(matchesSearch(key, '@kanzlei')).toBe(true)
    expect(matchesSearch(key, '89ab cdef')).toBe(true)
    expect(matchesSearch(key, 'bob')).toBe(false)
    expect(matchesFilter(key, 'others')).toBe(true)
    expect(matchesFilter(key, 'own')).toBe(false)
    expect(matchesFilter(key, 'smime')).toBe(false)
  })

  it('groups fingerprints in fours', () => {
    expect(groupFingerprint('0123456789AB')).toBe('0123 4567 89AB')
  })
})
