import { describe, expect, it } from 'vitest'
import de from './de.json'
import en from './en.json'

describe('translation files', () => {
  it('have exactly the same keys in German and English', () => {
    const missingInEn = Object.keys(de).filter((key) => !(key in en))
    const missingInDe = Object.keys(en).filter((key) => !(key in de))
    expect({ missingInEn, missingInDe }).toEqual({ missingInEn: [], missingInDe: [] })
  })

  it('have a non-empty text and the same placeholders for every key', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const [key, text] of Object.entries(de)) {
      const other = (en as Record<string, string>)[key] ?? ''
      expect(text.trim(), key).not.toBe('')
      expect(other.trim(), key).not.toBe('')
      expect(placeholders(other), key).toEqual(placeholders(text))
    }
  })
})
