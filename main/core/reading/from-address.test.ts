import { describe, expect, it } from 'vitest'
import { addressesOf } from '../message/addresses.ts'

describe('the real From address beside a display name', () => {
  it('is the angle-addr, not an address written into the quoted display name or a comment', () => {
    expect(addressesOf('"Kanzlei <chef@bank.example>" <info@kanzlei.example>')).toEqual(['info@kanzlei.example'])
    expect(addressesOf('Kanzlei (<chef@bank.example>) <info@kanzlei.example>')).toEqual(['info@kanzlei.example'])
    expect(addressesOf('"a \\" <x@y.example>" <info@kanzlei.example>, b@c.example')).toEqual([
      'info@kanzlei.example',
      'b@c.example',
    ])
    expect(addressesOf('Kanzlei Berger <Info@Kanzlei-Berger.example>')).toEqual(['info@kanzlei-berger.example'])
  })
})
