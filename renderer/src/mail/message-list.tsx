import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type RefObject } from 'react'
import type { MessageRowView } from '../../../preload/mailbox-contract'
import { Icon, type IconName } from './icons'
import { useInboxWords, type InboxWord } from './inbox-words'

/** Every row has this height, so the list can show 10,000 messages by rendering only the visible ones. */
export const rowHeight = 58
/** Rows rendered above and below the visible window, so fast scrolling does not show gaps. */
const overscan = 6

const protectionOf = (row: MessageRowView): { icon: IconName; word: InboxWord; tone: string } => {
  if (row.protection.encryption === 'encrypted') return { icon: 'lock', word: 'protection.encrypted', tone: 'enc' }
  if (row.protection.signature === 'signed') return { icon: 'seal', word: 'protection.signed', tone: 'sig' }
  if (row.protection.encryption === 'unknown' || row.protection.signature === 'unknown')
    return { icon: 'question', word: 'protection.unknown', tone: 'unknown' }
  return { icon: 'lock-open', word: 'protection.plain', tone: 'plain' }
}

/** "Kanzlei Berger <info@…>" → "Kanzlei Berger"; a bare address stays as it is. */
export function senderName(from: string): string {
  const match = /^\s*"?(.*?)"?\s*<[^>]*>\s*$/.exec(from)
  return (match?.[1] ?? '').trim() || from
}

export function shortDate(iso: string, lang: 'de' | 'en', now = new Date()): string {
  const date = new Date(iso)
  if (!iso || Number.isNaN(date.getTime())) return ''
  const locale = lang === 'de' ? 'de-DE' : 'en-GB'
  return date.toDateString() === now.toDateString()
    ? date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString(locale, { day: '2-digit', month: '2-digit', year: 'numeric' })
}

export function sizeText(bytes: number, lang: 'de' | 'en'): string {
  const locale = lang === 'de' ? 'de-DE' : 'en-GB'
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024).toLocaleString(locale)} KB`
  return `${(bytes / 1024 / 1024).toLocaleString(locale, { maximumFractionDigits: 1 })} MB`
}

function Row({
  row,
  index,
  count,
  isSelected,
}: {
  row: MessageRowView
  index: number
  count: number
  isSelected: boolean
}) {
  const { lang, w } = useInboxWords()
  const protection = protectionOf(row)
  return (
    <div
      role="option"
      id={`sp-msg-${row.id}`}
      data-testid="message-row"
      data-id={row.id}
      data-unread={row.isUnread ? 'true' : 'false'}
      aria-selected={isSelected}
      aria-posinset={index + 1}
      aria-setsize={count}
      className={`sp-row${row.isUnread ? ' sp-row-unread' : ''}${isSelected ? ' sp-row-selected' : ''}`}
      style={{ transform: `translateY(${index * rowHeight}px)` }}
    >
      <span
        className={`sp-row-prot sp-prot-${protection.tone}`}
        title={w(protection.word)}
        data-protection={protection.tone}
      >
        <Icon name={protection.icon} size={16} />
      </span>
      <span className="sp-row-from" title={row.from}>
        {row.isUnread && <span className="sp-row-dot" aria-hidden="true" />}
        {senderName(row.from) || w('inbox.noSender')}
      </span>
      <span className="sp-row-date">{shortDate(row.date, lang)}</span>
      <span className="sp-row-subject">
        {row.isUnread && <span className="visually-hidden">{w('inbox.unread')}: </span>}
        {row.subject || w('inbox.noSubject')}
        <span className="visually-hidden">
          {' '}
          · {w(protection.word)}
          {row.isFlagged ? ` · ${w('inbox.flagged')}` : ''}
          {row.isMalformed ? ` · ${w('inbox.malformed')}` : ''}
        </span>
      </span>
      <span className="sp-row-size">{sizeText(row.size, lang)}</span>
    </div>
  )
}

export interface MessageListProps {
  rows: readonly MessageRowView[]
  selectedId: string | null
  label: string
  onSelect: (id: string) => void
  onOpen: (id: string) => void
  onDelete: (id: string) => void
  listRef: RefObject<HTMLDivElement | null>
}

/**
 * The message list: a listbox whose focus stays on the list itself (aria-activedescendant names the
 * selected row), fixed-height rows placed by position, only the visible ones (plus a few) in the DOM.
 */
export function MessageList({ rows, selectedId, label, onSelect, onOpen, onDelete, listRef }: MessageListProps) {
  const [scrollTop, setScrollTop] = useState(0)
  const [height, setHeight] = useState(600)
  const frame = useRef(0)
  useLayoutEffect(() => {
    const element = listRef.current
    if (!element) return
    setHeight(element.clientHeight)
    const observer = new ResizeObserver(() => setHeight(element.clientHeight))
    observer.observe(element)
    return () => observer.disconnect()
  }, [listRef])
  const selectedIndex = selectedId === null ? -1 : rows.findIndex((row) => row.id === selectedId)
  // Keep the selected row in view when the keyboard moves it — only then: when rows arrive above it
  // (new mail), its index changes but the view stays where the user scrolled.
  useEffect(() => {
    const element = listRef.current
    if (!element || selectedIndex < 0) return
    const top = selectedIndex * rowHeight
    if (top < element.scrollTop) element.scrollTop = top
    else if (top + rowHeight > element.scrollTop + element.clientHeight)
      element.scrollTop = top + rowHeight - element.clientHeight
  }, [selectedId, listRef])
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan)
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / rowHeight) + overscan)
  const move = (to: number) => {
    if (rows.length === 0) return
    const index = Math.min(rows.length - 1, Math.max(0, to))
    onSelect(rows[index]!.id)
  }
  const page = Math.max(1, Math.floor(height / rowHeight) - 1)
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return
    const at = selectedIndex
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(at + 1),
      j: () => move(at + 1),
      ArrowUp: () => move(at < 0 ? 0 : at - 1),
      k: () => move(at < 0 ? 0 : at - 1),
      Home: () => move(0),
      End: () => move(rows.length - 1),
      PageDown: () => move(at + page),
      PageUp: () => move(at - page),
      Enter: () => selectedId && onOpen(selectedId),
      Delete: () => selectedId && onDelete(selectedId),
    }
    const action = keys[event.key]
    if (!action) return
    event.preventDefault()
    action()
  }
  return (
    <div
      ref={listRef}
      className="sp-list"
      role="listbox"
      tabIndex={0}
      aria-label={label}
      aria-activedescendant={selectedIndex >= 0 ? `sp-msg-${selectedId}` : undefined}
      data-testid="message-list"
      data-count={rows.length}
      onKeyDown={onKeyDown}
      onFocus={() => selectedIndex < 0 && rows.length > 0 && onSelect(rows[0]!.id)}
      onScroll={(event) => {
        const top = event.currentTarget.scrollTop
        cancelAnimationFrame(frame.current)
        frame.current = requestAnimationFrame(() => setScrollTop(top))
      }}
      onClick={(event) => {
        const id = (event.target as HTMLElement).closest<HTMLElement>('[data-id]')?.dataset.id
        if (!id) return
        onSelect(id)
        onOpen(id)
      }}
    >
      <div className="sp-list-spacer" style={{ height: rows.length * rowHeight }}>
        {rows.slice(first, last).map((row, i) => (
          <Row key={row.id} row={row} index={first + i} count={rows.length} isSelected={row.id === selectedId} />
        ))}
      </div>
    </div>
  )
}
