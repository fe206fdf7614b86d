import { describe, expect, it } from 'vitest'
import { uidSet } from './sync.ts'

describe('uidSet', () => {
  it('writes sorted UIDs as a compact RFC 3501 sequence set', () => {
    expect(uidSet([])).toBe('')
    expect(uidSet([7])).toBe('7')
    expect(uidSet([1, 2, 3, 5, 7, 8, 9, 12])).toBe('1:3,5,7:9,12')
  })
})
