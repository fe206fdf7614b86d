import { describe, expect, it } from 'vitest'
import { allowsAddress, allowsUrl, networkPolicyFrom } from './network-policy.ts'

describe('the network guard', () => {
  it('is loopback-only exactly when SIEGELPOST_NETWORK says so', () => {
    expect(networkPolicyFrom({ SIEGELPOST_NETWORK: 'loopback-only' })).toBe('loopback-only')
    expect(networkPolicyFrom({})).toBe('any')
    expect(networkPolicyFrom({ SIEGELPOST_NETWORK: 'LOOPBACK-ONLY' })).toBe('any')
  })

  it('under loopback-only lets through loopback addresses and URLs only', () => {
    expect(allowsAddress('loopback-only', '127.0.0.9')).toBe(true)
    expect(allowsAddress('loopback-only', '::1')).toBe(true)
    expect(allowsAddress('loopback-only', '192.0.2.10')).toBe(false)
    expect(allowsAddress('loopback-only', '127.evil.example')).toBe(false)
    expect(allowsUrl('loopback-only', 'http://127.0.0.1:8080/ca.crl')).toBe(true)
    expect(allowsUrl('loopback-only', 'http://crl.example.org/ca.crl')).toBe(false)
  })

  it('otherwise lets through every host', () => {
    expect(allowsAddress('any', '192.0.2.10')).toBe(true)
    expect(allowsUrl('any', 'http://crl.example.org/ca.crl')).toBe(true)
  })
})
