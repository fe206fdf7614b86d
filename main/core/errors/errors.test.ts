import { describe, expect, it } from 'vitest'
import { readdirSync } from 'node:fs'
import { errorTable, SiegelpostError, toSiegelpostError, type ErrorCode } from './index.ts'

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('error table', () => {
  it('each code is defined in exactly one domain file (the spread in codes.ts would hide a duplicate)', async () => {
    const folder = new URL('./codes/', import.meta.url)
    const seen = new Map<string, string>()
    for (const file of readdirSync(folder).filter((name) => name !== 'entry.ts' && name.endsWith('.ts'))) {
      const module = (await import(new URL(file, folder).href)) as Record<string, Record<string, unknown>>
      for (const table of Object.values(module)) {
        for (const code of Object.keys(table)) {
          expect(seen.get(code), `${code} in ${file} and ${seen.get(code)}`).toBeUndefined()
          seen.set(code, file)
        }
      }
    }
    expect(seen.size).toBe(Object.keys(errorTable).length)
  })

  it.each(Object.keys(errorTable) as ErrorCode[])(
    '%s has a German and an English text with the same placeholders',
    (code) => {
      const entry = errorTable[code]
      expect(entry.de.trim().length).toBeGreaterThan(10)
      expect(entry.en.trim().length).toBeGreaterThan(10)
      expect(entry.de).not.toEqual(entry.en)
      expect(placeholders(entry.de)).toEqual(placeholders(entry.en))
      expect(['user', 'remote', 'bug']).toContain(entry.kind)
    },
  )

  it('fills placeholders in both languages', () => {
    const error = new SiegelpostError('FILE_NOT_FOUND', { path: '/tmp/x.asc' })
    expect(error.localized('de')).toBe('Die Datei /tmp/x.asc gibt es nicht. Prüfen Sie den Pfad.')
    expect(error.localized('en')).toBe('The file /tmp/x.asc does not exist. Check the path.')
    expect(error.toInfo()).toEqual({
      code: 'FILE_NOT_FOUND',
      kind: 'user',
      message: { de: error.localized('de'), en: error.localized('en') },
    })
  })

  it('turns foreign errors into INTERNAL without leaking their message', () => {
    const wrapped = toSiegelpostError(new TypeError('secret passphrase hunter2 in a message'))
    expect(wrapped.code).toBe('INTERNAL')
    expect(wrapped.kind).toBe('bug')
    expect(JSON.stringify(wrapped.toInfo())).not.toContain('hunter2')
  })
})
