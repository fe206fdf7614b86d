import { describe, expect, it } from 'vitest'
import { pageRows, pagesAround } from './use-message-window'

describe('the message window asks for the pages around the rows in view', () => {
  it('the first screen: page 0 only; near a boundary: both pages; never past the end', () => {
    expect(pageRows).toBe(100)
    expect(pagesAround(0, 12, 10_000)).toEqual([0])
    expect(pagesAround(45, 57, 10_000)).toEqual([0, 1])
    expect(pagesAround(150, 162, 10_000)).toEqual([0, 1, 2])
    expect(pagesAround(9_988, 10_000, 10_000)).toEqual([99])
    expect(pagesAround(9_930, 9_942, 10_000)).toEqual([98, 99])
    expect(pagesAround(0, 3, 3)).toEqual([0])
    // An empty folder still asks for its first page (which says it is empty).
    expect(pagesAround(0, 0, 0)).toEqual([0])
  })
})
