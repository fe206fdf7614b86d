import { describe, expect, it } from 'vitest'
import { folderRole, folderSummaries } from './folder-summary.ts'

const row = (account: string, folder: string, flags: string[] = []) => ({ account, folder, flags })

describe('folder summaries', () => {
  it('counts stored and unread messages per folder of one account, INBOX first, Trash last', () => {
    const rows = [
      row('kanzlei', 'INBOX'),
      row('kanzlei', 'INBOX', ['\\Seen']),
      row('kanzlei', 'INBOX', ['\\Flagged']),
      row('kanzlei', 'Trash', ['\\Seen']),
      row('kanzlei', 'Mandanten/Müller'),
      row('privat', 'INBOX'),
    ]
    expect(folderSummaries(rows, 'kanzlei', ['Sent', 'Trash'])).toEqual([
      { name: 'INBOX', role: 'inbox', total: 3, unread: 2 },
      { name: 'Sent', role: 'sent', total: 0, unread: 0 },
      { name: 'Mandanten/Müller', role: null, total: 1, unread: 1 },
      { name: 'Trash', role: 'trash', total: 1, unread: 0 },
    ])
  })

  it('lists INBOX even when nothing is stored yet', () => {
    expect(folderSummaries([], 'neu')).toEqual([{ name: 'INBOX', role: 'inbox', total: 0, unread: 0 }])
  })

  it('knows the usual German and English names of the special folders', () => {
    expect(folderRole('Papierkorb')).toBe('trash')
    expect(folderRole('INBOX.Sent')).toBe('sent')
    expect(folderRole('Gesendete Elemente')).toBe('sent')
    expect(folderRole('Entwürfe')).toBe('drafts')
    expect(folderRole('Spam')).toBe('junk')
    expect(folderRole('Steuer 2025')).toBeNull()
  })
})
