import { memo, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type RefObject } from 'react'
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

/**
 * "Kanzlei Berger <info@…>" → "Kanzlei Berger"; a bare address stays as it is. A name that itself looks like an
 * address ("Boss <boss@bank.test>") is shown with the real address after it, so it cannot pose as the sender.
 */
export function senderName(from: string): string {
  const match = /^\s*"?(.*?)"?\s*<[^>]*>\s*$/.exec(from)
  const name = (match?.[1] ?? '').trim()
  return name && !name.includes('@') ? name : from
}

/** Formatters are built once per language: building one per row costs more than the row's whole render. */
const formatters = new Map<string, Intl.DateTimeFormat>()
function formatter(lang: 'de' | 'en', kind: 'time' | 'date'): Intl.DateTimeFormat {
  const name = `${lang}:${kind}`
  let format = formatters.get(name)
  if (!format)
    formatters.set(
      name,
      (format = new Intl.DateTimeFormat(
        lang === 'de' ? 'de-DE' : 'en-GB',
        kind === 'time'
          ? { hour: '2-digit', minute: '2-digit' }
          : { day: '2-digit', month: '2-digit', year: 'numeric' },
      )),
    )
  return format
}

export function shortDate(iso: string, lang: 'de' | 'en', now = new Date()): string {
  const date = new Date(iso)
  if (!iso || Number.isNaN(date.getTime())) return ''
  return formatter(lang, date.toDateString() === now.toDateString() ? 'time' : 'date').format(date)
}

const sizeFormats = new Map<string, Intl.NumberFormat>()
const numberText = (value: number, lang: 'de' | 'en', digits: number) => {
  const name = `${lang}:${digits}`
  let format = sizeFormats.get(name)
  if (!format)
    sizeFormats.set(
      name,
      (format = new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-GB', { maximumFractionDigits: digits })),
    )
  return format.format(value)
}

export function sizeText(bytes: number, lang: 'de' | 'en'): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${numberText(Math.round(bytes / 1024), lang, 0)} KB`
  return `${numberText(bytes / 1024 / 1024, lang, 1)} MB`
}

/** One row; re-rendered only when its row, place or selection changes (scrolling renders the new ones). */
const Row = memo(function Row({
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
  const isLeaving = row.waiting.includes('trash')
  const waitingWord = w(isLeaving ? 'inbox.waitingTrash' : 'inbox.waiting')
  return (
    <div
      role="option"
      id={`sp-msg-${row.id}`}
      data-testid="message-row"
      data-id={row.id}
      data-index={index}
      data-unread={row.isUnread ? 'true' : 'false'}
      data-flagged={row.isFlagged ? 'true' : 'false'}
      data-waiting={row.waiting.join(' ')}
      aria-selected={isSelected}
      aria-posinset={index + 1}
      aria-setsize={count}
      className={`sp-row${row.isUnread ? ' sp-row-unread' : ''}${isSelected ? ' sp-row-selected' : ''}${
        isLeaving ? ' sp-row-leaving' : ''
      }`}
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
      <span className="sp-row-date">
        {row.waiting.length > 0 && (
          <span className="sp-row-waiting" title={waitingWord} data-testid="row-waiting">
            <Icon name="clock" size={14} />
          </span>
        )}
        {row.isFlagged && (
          <span className="sp-row-flag" title={w('inbox.flagged')} data-testid="row-flag">
            <Icon name="flag" size={14} />
          </span>
        )}
        {shortDate(row.date, lang)}
      </span>
      <span className="sp-row-subject">
        {row.isUnread && <span className="visually-hidden">{w('inbox.unread')}: </span>}
        {row.subject || w('inbox.noSubject')}
        <span className="visually-hidden">
          {' '}
          · {w(protection.word)}
          {row.isFlagged ? ` · ${w('inbox.flagged')}` : ''}
          {row.waiting.length > 0 ? ` · ${waitingWord}` : ''}
          {row.isMalformed ? ` · ${w('inbox.malformed')}` : ''}
        </span>
      </span>
      <span className="sp-row-size">{sizeText(row.size, lang)}</span>
    </div>
  )
})

/** A row whose page is still on its way: the same height, nothing to read yet. */
function Placeholder({ index }: { index: number }) {
  return (
    <div
      className="sp-row sp-row-loading"
      aria-hidden="true"
      style={{ transform: `translateY(${index * rowHeight}px)` }}
    />
  )
}

export interface MessageListProps {
  /** How many rows the list has (the scroll height); only the rows in view are asked for. */
  count: number
  rowAt: (index: number) => MessageRowView | undefined
  selectedIndex: number
  label: string
  onSelect: (index: number) => void
  onOpen: (index: number) => void
  onDelete: (index: number) => void
  /** Keys on the selected row (Shift+U read/unread, S flag). */
  onToggle: (index: number, what: 'read' | 'flag') => void
  /** The rows about to be shown changed: the owner fetches them (and some around). */
  onRange: (first: number, last: number) => void
  /** When it changes (another folder, search or order), the list starts at the top or at the kept selection. */
  resetKey: string
  listRef: RefObject<HTMLDivElement | null>
}

/**
 * The message list: a listbox whose focus stays on the list itself (aria-activedescendant names the
 * selected row), fixed-height rows placed by position, only the visible ones (plus a few) in the DOM.
 * Rows come page by page from main; the selection is a position, so the keyboard crosses pages freely.
 */
export function MessageList({
  count,
  rowAt,
  selectedIndex,
  label,
  onSelect,
  onOpen,
  onDelete,
  onToggle,
  onRange,
  resetKey,
  listRef,
}: MessageListProps) {
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
  // A new folder, search or order starts at the top — or, when the selection was kept, with it in view.
  const selectedAt = useRef(selectedIndex)
  selectedAt.current = selectedIndex
  useLayoutEffect(() => {
    const element = listRef.current
    const at = selectedAt.current
    const top = element && at >= 0 ? Math.max(0, at * rowHeight - Math.floor(element.clientHeight / 3)) : 0
    if (element) element.scrollTop = top
    setScrollTop(element ? element.scrollTop : 0)
  }, [resetKey, listRef])
  // Keep the selected row in view when the keyboard moves it — only then: when rows arrive above it
  // (new mail), its position changes but the view stays where the user scrolled.
  const selectedId = rowAt(selectedIndex)?.id ?? null
  const lastSelected = useRef<{ id: string | null; index: number }>({ id: null, index: -1 })
  useEffect(() => {
    const last = lastSelected.current
    lastSelected.current = { id: selectedId, index: selectedIndex }
    if (selectedId !== null && selectedId === last.id) return
    const element = listRef.current
    if (!element || selectedIndex < 0) return
    const top = selectedIndex * rowHeight
    if (top < element.scrollTop) element.scrollTop = top
    else if (top + rowHeight > element.scrollTop + element.clientHeight)
      element.scrollTop = top + rowHeight - element.clientHeight
  }, [selectedIndex, selectedId, listRef])
  const visibleFirst = Math.floor(scrollTop / rowHeight)
  const visibleLast = Math.min(count, Math.ceil((scrollTop + height) / rowHeight))
  useEffect(() => onRange(visibleFirst, visibleLast), [visibleFirst, visibleLast, count, resetKey, onRange])
  const first = Math.max(0, visibleFirst - overscan)
  const last = Math.min(count, visibleLast + overscan)
  const move = (to: number) => {
    if (count === 0) return
    onSelect(Math.min(count - 1, Math.max(0, to)))
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
      End: () => move(count - 1),
      PageDown: () => move(at + page),
      PageUp: () => move(at - page),
      Enter: () => at >= 0 && onOpen(at),
      Delete: () => at >= 0 && onDelete(at),
      U: () => at >= 0 && onToggle(at, 'read'),
      s: () => at >= 0 && onToggle(at, 'flag'),
    }
    const action = (event.key !== 'U' || event.shiftKey) && keys[event.key]
    if (!action) return
    event.preventDefault()
    action()
  }
  const shown = []
  for (let index = first; index < last; index++) {
    const row = rowAt(index)
    shown.push(
      row ? (
        <Row key={row.id} row={row} index={index} count={count} isSelected={index === selectedIndex} />
      ) : (
        <Placeholder key={`at-${index}`} index={index} />
      ),
    )
  }
  const selected = rowAt(selectedIndex)
  return (
    <div
      ref={listRef}
      className="sp-list"
      role="listbox"
      tabIndex={0}
      aria-label={label}
      aria-activedescendant={selected ? `sp-msg-${selected.id}` : undefined}
      aria-busy={last > first && shown.length > 0 && !rowAt(first) ? true : undefined}
      data-testid="message-list"
      data-count={count}
      onKeyDown={onKeyDown}
      onFocus={() => selectedIndex < 0 && count > 0 && onSelect(0)}
      onScroll={(event) => {
        const top = event.currentTarget.scrollTop
        cancelAnimationFrame(frame.current)
        frame.current = requestAnimationFrame(() => setScrollTop(top))
      }}
      onClick={(event) => {
        const index = (event.target as HTMLElement).closest<HTMLElement>('[data-index]')?.dataset.index
        if (index === undefined) return
        onSelect(Number(index))
        onOpen(Number(index))
      }}
    >
      <div className="sp-list-spacer" style={{ height: count * rowHeight }}>
        {shown}
      </div>
    </div>
  )
}
