import { describe, expect, it } from 'vitest'
import { limits } from '../limits.ts'
import { uidSet, uidSets } from './sync.ts'

describe('uidSet', () => {
  it('writes sorted UIDs as a compact RFC 3501 sequence set', () => {
    expect(uidSet([])).toBe('')
    expect(uidSet([7])).toBe('7')
    expect(uidSet([1, 2, 3, 5, 7, 8, 9, 12])).toBe('1:3,5,7:9,12')
  })
})

describe('uidSets', () => {
  it('keeps a run of new UIDs in one FETCH command and cuts a sparse set into sets of mailSyncFetchSetParts parts', () => {
    expect(uidSets(Array.from({ length: 10_000 }, (_, i) => i + 1))).toEqual(['1:10000'])
    const sparse = Array.from({ length: limits.mailSyncFetchSetParts * 2 + 1 }, (_, i) => 2 * i + 1)
    const sets = uidSets(sparse)
    expect(sets.map((set) => set.split(',').length)).toEqual([
      limits.mailSyncFetchSetParts,
      limits.mailSyncFetchSetParts,
      1,
    ])
    expect(sets.join(',')).toBe(uidSet(sparse))
    expect(uidSets([1, 2, 3, 5, 7, 8, 9, 12], 2)).toEqual(['1:3,5', '7:9,12'])
    expect(uidSets([])).toEqual([])
  })
})
