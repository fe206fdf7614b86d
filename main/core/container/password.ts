import { randomInt } from 'node:crypto'
import { limits } from '../limits.ts'

/**
 * Container passwords. A generated one is read aloud on the phone or printed in a letter, so its alphabet
 * has no look-alikes (no i l 1 o 0, lower case only) and it is grouped in fours: 24 characters from 31
 * symbols are 118 bits, above the 100 bits we promise. A client's standing password is chosen by people,
 * so it is checked for length and a rough strength estimate before it is kept.
 */
export const passwordAlphabet = 'abcdefghjkmnpqrstuvwxyz23456789'

export function generateContainerPassword(groups = limits.containerPasswordGroups): string {
  const out: string[] = []
  for (let g = 0; g < groups; g++) {
    let group = ''
    for (let i = 0; i < 4; i++) group += passwordAlphabet[randomInt(passwordAlphabet.length)]
    out.push(group)
  }
  return out.join('-')
}

/** Bits of a generated password: log2(31) per character. */
export const generatedPasswordBits = (groups = limits.containerPasswordGroups) =>
  Math.floor(groups * 4 * Math.log2(passwordAlphabet.length))

export type WeakPasswordReason = 'too-short' | 'too-weak' | 'contains-date' | 'repetitive'

/**
 * A conservative estimate of a human-chosen password's strength: the character pool it draws from times its
 * length, after dates (common: birthdates), runs of one character and keyboard or alphabet sequences are
 * counted as a few bits each instead of their length.
 */
export function estimatePasswordBits(password: string): number {
  let rest = password
  let bits = 0
  // A date (dd.mm.yyyy, yyyy-mm-dd, ddmmyyyy, …) is worth about 15 bits to a guesser, whatever its length.
  const dates = /(?:\d{1,2}[./-]?\d{1,2}[./-]?(?:19|20)\d{2})|(?:(?:19|20)\d{2}[./-]?\d{1,2}[./-]?\d{1,2})/g
  rest = rest.replace(dates, () => {
    bits += 15
    return ''
  })
  // Runs and sequences: the first character counts, the rest almost nothing.
  rest = rest.replace(/(.)\1{2,}/g, (run: string, char: string) => {
    bits += 2
    return char
  })
  const sequences = ['abcdefghijklmnopqrstuvwxyz', '0123456789', 'qwertzuiopasdfghjklyxcvbnm', 'qwertyuiop']
  let squeezed = ''
  for (let i = 0; i < rest.length; i++) {
    const triple = rest.slice(i, i + 3).toLowerCase()
    if (triple.length === 3 && sequences.some((s) => s.includes(triple))) {
      squeezed += rest[i]
      let j = i + 3
      while (j <= rest.length - 1 && sequences.some((s) => s.includes(rest.slice(j - 2, j + 1).toLowerCase()))) j++
      bits += 2
      i = j - 1
      continue
    }
    squeezed += rest[i]
  }
  let pool = 0
  if (/[a-z]/.test(squeezed)) pool += 26
  if (/[A-Z]/.test(squeezed)) pool += 26
  if (/[0-9]/.test(squeezed)) pool += 10
  if (/[^a-zA-Z0-9]/.test(squeezed)) pool += 33
  return Math.floor(bits + (pool > 0 ? [...squeezed].length * Math.log2(pool) : 0))
}

/** null when the standing password may be kept, else why not. */
export function checkStandingPassword(password: string): WeakPasswordReason | null {
  if ([...password].length < limits.containerStandingPasswordMinChars) return 'too-short'
  const bits = estimatePasswordBits(password)
  if (bits >= limits.containerStandingPasswordMinBits) return null
  if (/(?:19|20)\d{2}/.test(password) && /\d{1,2}[./-]?\d{1,2}/.test(password)) return 'contains-date'
  if (/(.)\1{2,}/.test(password)) return 'repetitive'
  return 'too-weak'
}
