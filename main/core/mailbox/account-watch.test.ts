import { describe, expect, it } from 'vitest'
import { reconnectDelay } from './account-watch.ts'

describe('reconnectDelay', () => {
  it('doubles from the first wait and stops at the longest', () => {
    expect([0, 1, 2, 3, 4].map((n) => reconnectDelay(n, 2000, 20_000))).toEqual([2000, 4000, 8000, 16_000, 20_000])
    expect(reconnectDelay(500, 2000, 300_000)).toBe(300_000)
  })
})
