import { describe, expect, it } from 'vitest'
import { consentCsv, csvCell } from './consent-documents.ts'
import { consentFor } from './evaluate.ts'
import { ConsentSchema, type Consent } from './policy-settings.ts'

const now = new Date('2026-12-04T12:00:00Z')
const entry = (address: string, channel: Consent['channel'], extra: Partial<Consent> = {}): Consent =>
  ConsentSchema.parse({ address, channel, by: 'Huber', note: null, date: '2026-11-01T00:00:00Z', ...extra })

const currentConsent = (settings: { consents: Consent[] }, address: string, at: Date) => {
  const found = consentFor(settings, address, at)
  return found.isExpired ? null : found.consent
}

describe('consentFor with the register history', () => {
  it('an address entry beats its domain entry; the domain entry covers the other addresses', () => {
    const settings = { consents: [entry('firma.test', 'container'), entry('chef@firma.test', 'tls')] }
    expect(currentConsent(settings, 'Chef@Firma.test', now)?.channel).toBe('tls')
    expect(currentConsent(settings, 'buchhaltung@firma.test', now)?.channel).toBe('container')
    expect(currentConsent(settings, 'x@other.test', now)).toBeNull()
  })

  it('superseded entries apply to nobody; an expired entry is reported as expired', () => {
    const settings = {
      consents: [
        entry('a@firma.test', 'plain', { current: false }),
        entry('b@firma.test', 'tls', { expires: '2026-12-01T23:59:59.999Z' }),
      ],
    }
    expect(currentConsent(settings, 'a@firma.test', now)).toBeNull()
    expect(currentConsent(settings, 'b@firma.test', now)).toBeNull()
  })

  it('a register written before the history fields reads with their defaults', () => {
    expect(
      ConsentSchema.parse({ address: 'a@b.test', channel: 'tls', by: 'X', note: null, date: now.toISOString() }),
    ).toMatchObject({
      current: true,
      hasPassword: false,
      expires: null,
      transmitted: null,
    })
  })
})

describe('CSV export', () => {
  it.each([
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+49 171', "'+49 171"],
    ['-1', "'-1"],
    ['@cmd', "'@cmd"],
    ['a;b', '"a;b"'],
    ['say "hi"', '"say ""hi"""'],
    ['plain', 'plain'],
  ])('%s becomes %s', (value, cell) => expect(csvCell(value)).toBe(cell))

  it('one row per entry, superseded ones included', () => {
    const csv = consentCsv({ consents: [entry('a@b.test', 'tls', { current: false }), entry('a@b.test', 'plain')] })
    expect(csv.trimEnd().split('\r\n')).toHaveLength(3)
  })
})
