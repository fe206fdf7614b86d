import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import type { MailSource } from '../../../preload/mail-contract'
import type { MessageRowView, SyncStatusView } from '../../../preload/mailbox-contract'
import { ErrorNotice } from '../components'
import { settle } from '../use-call'
import { FolderPane, folderLabel } from './folder-pane'
import { useInboxWords, type InboxWord } from './inbox-words'
import { changeOf, MessageActions, MessageActionsSlot, type ToggleWhat } from './message-actions'
import { MessageList } from './message-list'
import { MailReader, OpenFileButton, type ReaderRequest, type SeenAnswer } from './reader'
import { useMailbox } from './use-mailbox'
import { NewMailNote } from './new-mail-note'
import { useKeepScroll, useNewMail } from './use-new-mail'
import './inbox.css'

const noticeMark = { ok: '✓', info: 'ℹ', warning: '⚠' } as const

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || !!target.closest('dialog'))

function SyncLine({ status }: { status: SyncStatusView | null }) {
  const { lang, w } = useInboxWords()
  let text = ''
  if (status?.isRunning)
    text = status.folder
      ? status.total > 0
        ? w('inbox.syncProgress', { folder: status.folder, done: status.done, total: status.total })
        : w('inbox.syncScanning', { folder: status.folder })
      : w('inbox.syncing')
  else if (status?.finished && status.errors.length > 0)
    text = w('inbox.syncFailed', {
      time: new Date(status.finished).toLocaleTimeString(lang === 'de' ? 'de-DE' : 'en-GB', {
        hour: '2-digit',
        minute: '2-digit',
      }),
    })
  else if (status?.finished)
    text = w(
      status.stored === 0 ? 'inbox.syncDoneNone' : status.stored === 1 ? 'inbox.syncDoneOne' : 'inbox.syncDone',
      {
        time: new Date(status.finished).toLocaleTimeString(lang === 'de' ? 'de-DE' : 'en-GB', {
          hour: '2-digit',
          minute: '2-digit',
        }),
        stored: status.stored,
      },
    )
  return (
    <span
      className="sp-sync-line"
      role="status"
      data-testid="sync-status"
      data-running={status?.isRunning ? 'true' : 'false'}
    >
      {status?.isRunning && (
        <progress
          className="sp-sync-progress"
          aria-hidden="true"
          max={status.total || 1}
          value={status.total ? status.done : undefined}
        />
      )}
      {text}
    </span>
  )
}

/**
 * The Posteingang in three panes: accounts and folders, the virtualized message list, the read view.
 * Keyboard: ↑/↓ or j/k move, Enter opens, Delete moves to Trash, Shift+U marks read/unread, S flags,
 * Ctrl+F searches.
 */
export function InboxView() {
  const { lang, w } = useInboxWords()
  const box = useMailbox()
  const { list } = box
  const [request, setRequest] = useState<ReaderRequest | null>(null)
  /** The stored message in the read pane, as its list row (kept when the list scrolls its page away). */
  const [opened, setOpened] = useState<MessageRowView | null>(null)
  const [readerRound, setReaderRound] = useState(0)
  const [isReaderBusy, setReaderBusy] = useState(false)
  const [notice, setNotice] = useState<{ tone: 'ok' | 'info' | 'warning'; word: InboxWord } | null>(null)
  const [deleting, setDeleting] = useState(false)
  const [flagging, setFlagging] = useState(false)
  const listRef = useRef<HTMLDivElement>(null)
  const searchRef = useRef<HTMLInputElement>(null)
  // New mail the watch in main stored: counts and list again, the selection and the view kept.
  const { news, offline } = useNewMail(lang, box.reload)
  useKeepScroll(listRef, list.rowAt, list.total, list.key)

  // Ctrl+F (⌘F) searches the list instead of the browser's find bar.
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'f') {
        event.preventDefault()
        searchRef.current?.focus()
        searchRef.current?.select()
      }
    }
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  }, [])

  const open = (index: number) => {
    const row = list.rowAt(index)
    if (!row) return
    setNotice(null)
    setOpened(row)
    setRequest((previous) => ({ source: { kind: 'stored', id: row.id }, seq: (previous?.seq ?? 0) + 1 }))
  }
  // The read pane's marks follow the list's row when the list is asked again (a sync wrote waiting marks).
  const fresh = opened ? list.rowById(opened.id) : undefined
  useEffect(() => {
    if (fresh) setOpened((previous) => (previous?.id === fresh.id ? fresh : previous))
  }, [fresh])
  const changed = (row: MessageRowView) => {
    box.changed(row)
    setOpened((previous) => (previous?.id === row.id ? row : previous))
  }
  const openFile = () => {
    setNotice(null)
    setRequest((previous) => ({ source: { kind: 'dialog' }, seq: (previous?.seq ?? 0) + 1 }))
  }
  const onOpened = (source: MailSource, seen: SeenAnswer) => {
    if (source.kind !== 'stored') return setOpened(null)
    if (seen === 'marked' && opened?.id === source.id) changed({ ...opened, isUnread: false })
    if (seen === 'pending' && opened?.id === source.id)
      changed({ ...opened, isUnread: false, waiting: [...new Set([...opened.waiting, 'seen' as const])] })
    if (seen === 'pending') setNotice({ tone: 'info', word: 'inbox.seenPending' })
    if (seen === 'failed') setNotice({ tone: 'warning', word: 'inbox.seenFailed' })
  }
  // The reader is rendered again only for a new request: rows arriving while the list scrolls leave it be.
  const latest = useRef({ onOpened, onClosed: () => setOpened(null) })
  latest.current = { onOpened, onClosed: () => setOpened(null) }
  const onReaderOpened = useCallback(
    (source: MailSource, seen: SeenAnswer) => latest.current.onOpened(source, seen),
    [],
  )
  const onReaderClosed = useCallback(() => latest.current.onClosed(), [])
  const reader = useMemo(
    () => (
      <MailReader
        key={readerRound}
        request={request}
        onOpened={onReaderOpened}
        onClosed={onReaderClosed}
        onBusy={setReaderBusy}
      />
    ),
    [readerRound, request, onReaderOpened, onReaderClosed],
  )
  const remove = async (index: number) => {
    const row = list.rowAt(index)
    if (deleting || !row) return
    setDeleting(true)
    const result = await settle(window.siegelpost.mailboxDelete({ id: row.id }))
    setDeleting(false)
    if (!result.ok) return box.setError(result.error)
    box.setError(null)
    if (result.value.waiting) {
      // Offline: the message stays here, marked, until the server takes it into Trash.
      setNotice({ tone: 'info', word: 'inbox.deletePending' })
      await box.reload()
      return listRef.current?.focus()
    }
    setNotice({ tone: 'ok', word: result.value.folder ? 'inbox.deleted' : 'inbox.deletedForGood' })
    if (opened?.id === row.id) {
      setOpened(null)
      setRequest(null)
      setReaderRound((n) => n + 1)
    }
    // The selection stays at this place: the next message moves up into it.
    await box.reload()
    listRef.current?.focus()
  }
  /** Read/unread or flag of a row: on the server first (main), then here; offline the change waits and says so. */
  const toggle = async (row: MessageRowView | null | undefined, what: ToggleWhat) => {
    if (flagging || !row) return
    setFlagging(true)
    const result = await settle(window.siegelpost.mailboxFlag({ id: row.id, change: changeOf(row, what) }))
    setFlagging(false)
    if (!result.ok) return box.setError(result.error)
    box.setError(null)
    changed(result.value)
    if (result.value.waiting.length > 0) setNotice({ tone: 'info', word: 'inbox.flagPending' })
  }
  // j/k, Delete, Shift+U and S work from the read pane too (the list handles its own keys); never while typing.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return
    if (listRef.current?.contains(event.target as Node)) return
    const at = list.selectedIndex
    const isButton = !!(event.target as HTMLElement).closest('button')
    if ((event.key === 'j' || event.key === 'k') && list.total > 0) {
      event.preventDefault()
      list.select(Math.min(list.total - 1, Math.max(0, at + (event.key === 'j' ? 1 : -1))))
      listRef.current?.focus()
    } else if (event.key === 'Delete' && at >= 0 && !isButton) {
      event.preventDefault()
      void remove(at)
    } else if ((event.key === 'U' && event.shiftKey) || event.key === 's') {
      event.preventDefault()
      void toggle(opened ?? list.selectedRow, event.key === 's' ? 'flag' : 'read')
    }
  }

  const folder = box.accounts
    ?.find((account) => account.name === box.current?.account)
    ?.folders.find((f) => f.name === box.current?.folder)
  const folderName = folder ? folderLabel(folder, w) : (box.current?.folder ?? '')
  const search = box.query
  const number = (n: number) => n.toLocaleString(lang === 'de' ? 'de-DE' : 'en-GB')
  return (
    <div className="sp-inbox" onKeyDown={onKeyDown} data-testid="inbox">
      <div className="sp-inbox-bar">
        <input
          ref={searchRef}
          type="search"
          className="sp-search"
          aria-label={w('inbox.search')}
          placeholder={w('inbox.searchPlaceholder')}
          value={box.search}
          data-testid="inbox-search"
          onChange={(event) => box.setSearch(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' || event.key === 'ArrowDown') {
              event.preventDefault()
              listRef.current?.focus()
            }
            if (event.key === 'Escape') {
              box.setSearch('')
              listRef.current?.focus()
            }
          }}
        />
        <button
          type="button"
          className="primary"
          data-testid="sync-now"
          disabled={box.sync?.isRunning === true || box.accounts?.length === 0}
          onClick={() => void box.startSync()}
        >
          {box.sync?.isRunning ? w('inbox.syncing') : w('inbox.sync')}
        </button>
        <SyncLine status={box.sync} />
        <NewMailNote news={news} offline={offline} />
        <OpenFileButton disabled={isReaderBusy} onOpen={openFile} />
      </div>
      {box.error && <ErrorNotice error={box.error} />}
      {!box.sync?.isRunning &&
        box.sync?.errors.map((failure, i) => (
          <p key={i} className="sp-inbox-note sp-inbox-note-warning" data-code={failure.error.code}>
            <span aria-hidden="true">{noticeMark.warning} </span>
            {w('inbox.syncFailedAt', {
              account: failure.account,
              folder: failure.folder ? ` / ${failure.folder}` : '',
            })}{' '}
            {failure.error.message[lang]}
          </p>
        ))}
      {notice && (
        <p className={`sp-inbox-note sp-inbox-note-${notice.tone}`} role="status" data-testid="inbox-note">
          <span aria-hidden="true">{noticeMark[notice.tone]} </span>
          {w(notice.word)}
        </p>
      )}
      <div className="sp-panes">
        <FolderPane accounts={box.accounts ?? []} current={box.current} onChoose={box.chooseFolder} />
        <section className="sp-list-pane" aria-label={w('inbox.messages', { folder: folderName })}>
          {box.accounts?.length === 0 ? (
            <div className="sp-list-empty">
              <p className="empty">{w('inbox.noAccount')}</p>
              <button
                type="button"
                className="primary"
                onClick={() =>
                  window.dispatchEvent(new CustomEvent('siegelpost:navigate', { detail: { section: 'accounts' } }))
                }
              >
                {w('inbox.setUpAccount')}
              </button>
            </div>
          ) : (
            <>
              <div className="sp-list-head">
                <p data-testid="list-count">
                  {search
                    ? w('inbox.countSearch', { count: number(list.total), total: number(list.all) })
                    : w(list.total === 1 ? 'inbox.countOne' : 'inbox.count', { count: number(list.total) })}
                </p>
                <label className="sp-list-sort">
                  <span className="visually-hidden">{w('inbox.sort')}</span>
                  <select
                    data-testid="list-sort"
                    value={box.sort}
                    onChange={(event) => box.setSort(event.target.value === 'oldest' ? 'oldest' : 'newest')}
                  >
                    <option value="newest">{w('inbox.sortNewest')}</option>
                    <option value="oldest">{w('inbox.sortOldest')}</option>
                  </select>
                </label>
              </div>
              {list.total === 0 && list.key !== '' && (
                <p className="empty sp-list-empty">
                  {search ? w('inbox.noMatch', { search }) : w('inbox.emptyFolder')}
                </p>
              )}
              <MessageList
                count={list.total}
                rowAt={list.rowAt}
                selectedIndex={list.selectedIndex}
                label={w('inbox.messages', { folder: folderName })}
                onSelect={list.select}
                onOpen={open}
                onDelete={(index) => void remove(index)}
                onToggle={(index, what) => void toggle(list.rowAt(index), what)}
                onRange={list.ensure}
                resetKey={list.key}
                listRef={listRef}
              />
              <p className="sp-keys">{w('inbox.keys')}</p>
            </>
          )}
        </section>
        <section className="sp-read-pane" data-testid="read-pane" aria-label={w('inbox.reading')}>
          <MessageActionsSlot.Provider
            value={
              opened && <MessageActions row={opened} busy={flagging} onToggle={(what) => void toggle(opened, what)} />
            }
          >
            {reader}
          </MessageActionsSlot.Provider>
          {!opened && list.total > 0 && <p className="sp-muted sp-pick">{w('inbox.pickMessage')}</p>}
        </section>
      </div>
    </div>
  )
}
