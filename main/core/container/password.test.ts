import { describe, expect, it } from 'vitest'
import {
  checkStandingPassword,
  estimatePasswordBits,
  generateContainerPassword,
  generatedPasswordBits,
  passwordAlphabet,
} from './password.ts'

describe('generated container passwords', () => {
  it('have at least 100 bits, no look-alike characters, and are grouped in fours for reading aloud', () => {
    expect(generatedPasswordBits()).toBeGreaterThanOrEqual(100)
    for (const c of 'il1o0IO') expect(passwordAlphabet).not.toContain(c)
    const seen = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const password = generateContainerPassword()
      expect(password).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){5}$/)
      expect(password).not.toMatch(/[ilo01]/)
      seen.add(password)
    }
    expect(seen.size).toBe(200)
  })
})

describe('standing client passwords', () => {
  it.each([
    ['kurz123!', 'too-short'],
    ['01.02.1975Mueller', 'contains-date'],
    ['aaaaaaaaaaaaaaaa', 'repetitive'],
    ['abcdefghijklmn', 'too-weak'],
    ['123456789012', 'too-weak'],
  ])('%s is refused (%s)', (password, reason) => {
    expect(checkStandingPassword(password)).toBe(reason)
  })

  it.each(['Kaffeetasse-Rhein-Mond', 'Tg7#qL9!xW2$', 'mq4v-8kzp-w3nd'])('%s is kept', (password) => {
    expect(checkStandingPassword(password)).toBeNull()
    expect(estimatePasswordBits(password)).toBeGreaterThanOrEqual(60)
  })

  it('a birthdate counts as a few bits, not as its length', () => {
    expect(estimatePasswordBits('19750201')).toBeLessThan(20)
  })
})
