import { describe, expect, it } from 'vitest'
import { addressesOf, decodeAddressHeader, withoutAngleAddresses } from './addresses.ts'
import { senderWarnings } from './open-warnings.ts'

const b64 = (text: string) => `=?utf-8?b?${Buffer.from(text).toString('base64')}?=`

describe('decodeAddressHeader: a From field decoded for display still names only the addresses written', () => {
  const spoofs = [
    `${b64('Boss <boss@bank.test>,')} <e@att.test>`,
    '=?utf-8?q?Boss_=3Cboss@bank.test=3E,?= <e@att.test>',
    `"${b64('Boss" <boss@bank.test>, "x')}" <e@att.test>`,
  ]

  it('an encoded word that decodes to an address stays part of the name; the real address is the only one', () => {
    for (const raw of spoofs) {
      const shown = decodeAddressHeader(raw)
      expect(addressesOf(shown), raw).toEqual(['e@att.test'])
      expect(shown, raw).toContain('boss@bank.test')
    }
  })

  it('raises from-display-address for such a name', () => {
    for (const raw of spoofs) {
      const warnings = senderWarnings(
        { fromFields: [raw], fromAddresses: ['e@att.test'], sender: [], replyTo: [] },
        true,
      )
      expect(
        warnings.map((w) => w.code),
        raw,
      ).toContain('from-display-address')
    }
  })

  it('decodes ordinary names as before', () => {
    expect(decodeAddressHeader('=?utf-8?q?M=C3=BCller?= <m@mandant.test>')).toBe('Müller <m@mandant.test>')
    expect(decodeAddressHeader('"M=?utf-8?q?=C3=BC?=ller, Hans" <h@mandant.test>')).toBe(
      '"Müller, Hans" <h@mandant.test>',
    )
    const eightBit = Buffer.from('Jürgen <j@mandant.test>', 'utf8').toString('latin1')
    expect(decodeAddressHeader(eightBit)).toBe('Jürgen <j@mandant.test>')
    expect(decodeAddressHeader('Kanzlei Berger <info@kanzlei.test>')).toBe('Kanzlei Berger <info@kanzlei.test>')
  })

  it('withoutAngleAddresses keeps quoted text and drops the angle addresses outside quotes', () => {
    expect(withoutAngleAddresses('"<boss@bank.test>" <e@att.test>, x <y@z.test>')).toBe('"<boss@bank.test>"  , x  ')
  })
})
