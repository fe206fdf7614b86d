import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import type { MessageRowView } from '../../../preload/mailbox-contract'
import { I18nProvider } from '../i18n'
import { MessageList, senderName, shortDate, sizeText } from './message-list'

const row = (i: number, extra: Partial<MessageRowView> = {}): MessageRowView => ({
  id: `id-${i}`,
  account: 'kanzlei',
  folder: 'INBOX',
  from: `Kanzlei ${i} <k${i}@kanzlei.test>`,
  fromAddress: `k${i}@kanzlei.test`,
  subject: `Beleg ${i}`,
  date: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
  size: 2048,
  isUnread: i % 2 === 0,
  isFlagged: false,
  protection: { encryption: 'none', signature: 'none' },
  isMalformed: false,
  waiting: [],
  ...extra,
})

describe('message list', () => {
  it('renders only the first window of 10,000 rows, each an option with its position, unread said in words', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => row(i))
    rows[0] = row(0, { protection: { encryption: 'encrypted', signature: 'unknown' } })
    const html = renderToStaticMarkup(
      createElement(
        I18nProvider,
        null,
        createElement(MessageList, {
          count: rows.length,
          rowAt: (index) => rows[index],
          selectedIndex: 0,
          label: 'Nachrichten',
          onSelect: () => undefined,
          onOpen: () => undefined,
          onDelete: () => undefined,
          onToggle: () => undefined,
          onRange: () => undefined,
          resetKey: 'INBOX',
          listRef: { current: null },
        }),
      ),
    )
    const options = html.match(/role="option"/g) ?? []
    expect(options.length).toBeGreaterThan(0)
    expect(options.length).toBeLessThan(40)
    expect(html).toContain('aria-setsize="10000"')
    expect(html).toContain('aria-activedescendant="sp-msg-id-0"')
    expect(html).toContain('data-protection="enc"')
    expect(html).toContain('Verschlüsselt')
    expect(html).toContain('ungelesen')
  })

  it('keeps the height of rows still on their way, and says "flagged" in words beside the flag icon', () => {
    const loaded = new Map([[2, row(2, { isFlagged: true })]])
    const html = renderToStaticMarkup(
      createElement(
        I18nProvider,
        null,
        createElement(MessageList, {
          count: 10_000,
          rowAt: (index) => loaded.get(index),
          selectedIndex: 2,
          label: 'Nachrichten',
          onSelect: () => undefined,
          onOpen: () => undefined,
          onDelete: () => undefined,
          onToggle: () => undefined,
          onRange: () => undefined,
          resetKey: 'INBOX',
          listRef: { current: null },
        }),
      ),
    )
    expect(html.match(/role="option"/g)).toHaveLength(1)
    expect(html.match(/sp-row-loading/g)!.length).toBeGreaterThan(5)
    expect(html).toContain('aria-activedescendant="sp-msg-id-2"')
    expect(html).toContain('data-flagged="true"')
    expect(html).toContain('title="markiert"')
    expect(html).toMatch(/visually-hidden">[^<]*· markiert/)
    expect(html).toContain(`height:${10_000 * 58}px`)
  })

  it('shows the display name, a short date and a readable size', () => {
    expect(senderName('"Müller, Steuerbüro" <info@kanzlei.test>')).toBe('Müller, Steuerbüro')
    expect(senderName('info@kanzlei.test')).toBe('info@kanzlei.test')
    // A name posing as an address keeps the real address beside it.
    expect(senderName('Boss <boss@bank.test>, <e@att.test>')).toBe('Boss <boss@bank.test>, <e@att.test>')
    expect(senderName('"info@kanzlei.test" <e@att.test>')).toBe('"info@kanzlei.test" <e@att.test>')
    const now = new Date('2026-12-04T15:00:00Z')
    expect(shortDate('2026-03-12T08:14:00Z', 'de', now)).toBe('12.03.2026')
    expect(shortDate('', 'de', now)).toBe('')
    expect(sizeText(512, 'de')).toBe('512 B')
    expect(sizeText(48 * 1024, 'en')).toBe('48 KB')
    expect(sizeText(3.25 * 1024 * 1024, 'de')).toBe('3,3 MB')
  })
})
