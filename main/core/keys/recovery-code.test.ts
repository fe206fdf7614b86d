import { describe, expect, it } from 'vitest'
import { canonicalRecoveryCode, generateRecoveryCode, isSameRecoveryCode } from './recovery-code.ts'

describe('recovery codes', () => {
  it('are six groups of four from an alphabet without look-alikes, and differ each time', () => {
    const code = generateRecoveryCode()
    expect(code).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){5}[0-9A-HJKMNP-TV-Z]{4}$/)
    expect(generateRecoveryCode()).not.toBe(code)
  })

  it('accept what people type: any case, spaces, I/L for 1 and O for 0', () => {
    const code = 'ABCD-EFGH-1234-5678-9JKM-0NPQ'
    expect(isSameRecoveryCode(code, 'abcd efgh l234 5678 9jkm onpq')).toBe(true)
    expect(canonicalRecoveryCode('abcdefgh12345678 9jkm0npq')).toBe(code)
  })

  it('refuse a wrong or incomplete code', () => {
    const code = 'ABCD-EFGH-1234-5678-9JKM-0NPQ'
    expect(isSameRecoveryCode(code, 'ABCD-EFGH-1234-5678-9JKM-0NPR')).toBe(false)
    expect(isSameRecoveryCode(code, 'ABCD-EFGH-1234')).toBe(false)
    expect(canonicalRecoveryCode('ABCD-EFGH-1234-5678-9JKM-0NP!')).toBeNull()
  })
})
