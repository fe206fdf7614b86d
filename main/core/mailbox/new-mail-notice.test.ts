import { describe, expect, it } from 'vitest'
import type { EnvelopeRow } from './mail-store-schema.ts'
import { newMailCounts, newMailNotice } from './new-mail-notice.ts'

const row = (encryption: 'encrypted' | 'none', flags: string[] = []) =>
  ({
    flags,
    protection: { encryption, signature: 'unknown' },
    subject: 'Ihr Steuerbescheid 2025',
    from: 'Finanzamt Musterstadt <poststelle@finanzamt.example>',
  }) as unknown as EnvelopeRow

describe('newMailNotice', () => {
  it('counts only unread rows and the encrypted ones among them', () => {
    expect(newMailCounts([row('encrypted'), row('none'), row('encrypted', ['\\Seen'])])).toEqual({
      count: 2,
      encrypted: 1,
    })
  })

  it('words one encrypted message without subject or sender, in German and English', () => {
    const rows = [row('encrypted')]
    const de = newMailNotice(newMailCounts(rows), 'kanzlei', 'de')
    const en = newMailNotice(newMailCounts(rows), 'kanzlei', 'en')
    expect(de).toEqual({ title: 'Siegelpost – kanzlei', body: 'Neue verschlüsselte Nachricht' })
    expect(en).toEqual({ title: 'Siegelpost – kanzlei', body: 'New encrypted message' })
    for (const text of [JSON.stringify(de), JSON.stringify(en)]) {
      expect(text).not.toMatch(/Steuerbescheid|Finanzamt|poststelle/)
    }
  })

  it('gives counts for several, saying how many are encrypted', () => {
    expect(newMailNotice({ count: 1, encrypted: 0 }, 'a', 'de')?.body).toBe('Neue Nachricht')
    expect(newMailNotice({ count: 3, encrypted: 0 }, 'a', 'de')?.body).toBe('3 neue Nachrichten')
    expect(newMailNotice({ count: 3, encrypted: 0 }, 'a', 'en')?.body).toBe('3 new messages')
    expect(newMailNotice({ count: 3, encrypted: 3 }, 'a', 'de')?.body).toBe('3 neue verschlüsselte Nachrichten')
    expect(newMailNotice({ count: 3, encrypted: 2 }, 'a', 'en')?.body).toBe('3 new messages, 2 of them encrypted')
    expect(newMailNotice({ count: 1200, encrypted: 0 }, 'a', 'de')?.body).toBe('1.200 neue Nachrichten')
  })

  it('has nothing to say when nothing unread is new', () => {
    expect(newMailNotice(newMailCounts([row('none', ['\\Seen'])]), 'a', 'de')).toBeNull()
  })
})
