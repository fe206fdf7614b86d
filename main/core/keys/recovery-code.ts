import { randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Recovery codes protect private-key backups. 24 characters from Crockford's base32 alphabet
 * (no I, L, O, U) = 120 bits, shown in six groups of four — long enough that the backup file
 * alone is worthless, short enough to type back from paper.
 */
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const length = 24

export function generateRecoveryCode(random: (n: number) => Buffer = randomBytes): string {
  const bytes = random(length)
  let code = ''
  for (const byte of bytes) code += alphabet[byte & 31]
  return code.match(/.{4}/g)!.join('-')
}

/** What a person typed, as the canonical code: case, spaces and dashes ignored; I/L read as 1, O as 0. */
export function canonicalRecoveryCode(typed: string): string | null {
  const compact = typed.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0')
  if (compact.length !== length || [...compact].some((c) => !alphabet.includes(c))) return null
  return compact.match(/.{4}/g)!.join('-')
}

export function isSameRecoveryCode(expected: string, typed: string): boolean {
  const canonical = canonicalRecoveryCode(typed)
  if (canonical === null) return false
  return timingSafeEqual(Buffer.from(canonical), Buffer.from(expected))
}
