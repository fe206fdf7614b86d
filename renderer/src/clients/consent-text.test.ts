import { describe, expect, it } from 'vitest'
import type { ConsentView } from '../../../preload/contract'
import { dateOnly, groupByClient, isExpired, matchesSearch } from './consent-text'

const entry = (
  address: string,
  channel: ConsentView['channel'],
  date: string,
  more: Partial<ConsentView> = {},
): ConsentView => ({
  address,
  channel,
  by: 'Anna',
  note: null,
  date,
  transmitted: null,
  transmittedOn: null,
  expires: null,
  hasPassword: false,
  current: true,
  ...more,
})

describe('the consent register as the Mandanten page lists it', () => {
  const register = [
    entry('b@mandant.test', 'container', '2026-01-01T10:00:00Z', { current: false }),
    entry('a.test', 'tls', '2026-02-01T10:00:00Z', { note: 'Brief vom 01.02.' }),
    entry('b@mandant.test', 'tls', '2026-03-01T10:00:00Z'),
  ]

  it('groups per address or domain, sorted, newest entry first, with the current one', () => {
    const clients = groupByClient(register)
    expect(clients.map((c) => c.target)).toEqual(['a.test', 'b@mandant.test'])
    expect(clients[1]!.history.map((c) => c.channel)).toEqual(['tls', 'container'])
    expect(clients[1]!.current?.date).toBe('2026-03-01T10:00:00Z')
  })

  it('searches the target, the channel words, who recorded it and the note', () => {
    const [domain, address] = groupByClient(register)
    const label = (c: ConsentView) => (c.channel === 'tls' ? 'Nur transportverschlüsselt' : 'Passwort-PDF')
    expect(matchesSearch(domain!, 'brief', label)).toBe(true)
    expect(matchesSearch(address!, 'TRANSPORT', label)).toBe(true)
    // Only the current entry counts: b@ was a password PDF once, not now.
    expect(matchesSearch(address!, 'passwort-pdf', label)).toBe(false)
    expect(matchesSearch(address!, '  ', label)).toBe(true)
  })

  it('shows an entered day as that day, and an entry past its end as expired', () => {
    expect(dateOnly('2027-12-31T23:59:59.999Z', 'de')).toBe('31.12.2027')
    const ending = entry('c.test', 'plain', '2026-01-01T00:00:00Z', { expires: '2026-06-30T23:59:59.999Z' })
    expect(isExpired(ending, new Date('2026-06-30T22:00:00Z'))).toBe(false)
    expect(isExpired(ending, new Date('2026-07-01T00:00:00Z'))).toBe(true)
  })
})
