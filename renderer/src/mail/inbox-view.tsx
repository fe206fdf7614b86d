import { useEffect, useRef, useState, type KeyboardEvent } from 'react'
import type { MailSource } from '../../../preload/mail-contract'
import type { SyncStatusView } from '../../../preload/mailbox-contract'
import { ErrorNotice } from '../components'
import { settle } from '../use-call'
import { FolderPane, folderLabel } from './folder-pane'
import { useInboxWords, type InboxWord } from './inbox-words'
import { MessageList } from './message-list'
import { MailReader, OpenFileButton, type ReaderRequest, type SeenAnswer } from './reader'
import { useMailbox } from './use-mailbox'
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
    text = w('inbox.syncDone', {
      time: new Date(status.finished).toLocaleTimeString(lang === 'de' ? 'de-DE' : 'en-GB', {
        hour: '2-digit',
        minute: '2-digit',
      }),
      stored: status.stored,
    })
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
 * Keyboard: ↑/↓ or j/k move, Enter opens, Delete moves to Trash, Ctrl+F searches.
 */
export function InboxView() {
  const { lang, w } = useInboxWords()
  const box = useMailbox()
  const { rows, selectedId, setSelectedId, current } = box
  const [request, setRequest] = useState<ReaderRequest | null>(null)
  const [openedId, setOpenedId] = useState<string | null>(null)
  const [readerRound, setReaderRound] = useState(0)
  const [isReaderBusy, setReaderBusy] = useState(false)
  const [notice, setNotice] = useState<{ tone: 'ok' | 'info' | 'warning'; word: InboxWord } | null>(null)
  const [deleting, setDeleting] = useState(false)
  const listRef = useRef<HTMLDivElement>(null)
  const searchRef = useRef<HTMLInputElement>(null)

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

  const open = (id: string) => {
    setNotice(null)
    setOpenedId(id)
    setRequest((previous) => ({ source: { kind: 'stored', id }, seq: (previous?.seq ?? 0) + 1 }))
  }
  const openFile = () => {
    setNotice(null)
    setRequest((previous) => ({ source: { kind: 'dialog' }, seq: (previous?.seq ?? 0) + 1 }))
  }
  const onOpened = (source: MailSource, seen: SeenAnswer) => {
    if (source.kind !== 'stored') return setOpenedId(null)
    if (seen === 'marked') box.markedRead(source.id)
    if (seen === 'pending') setNotice({ tone: 'info', word: 'inbox.seenPending' })
    if (seen === 'failed') setNotice({ tone: 'warning', word: 'inbox.seenFailed' })
  }
  const remove = async (id: string) => {
    if (deleting) return
    setDeleting(true)
    const index = rows.findIndex((row) => row.id === id)
    const result = await settle(window.siegelpost.mailboxDelete({ id }))
    setDeleting(false)
    if (!result.ok) return box.setError(result.error)
    box.setError(null)
    setNotice({ tone: 'ok', word: result.value.folder ? 'inbox.deleted' : 'inbox.deletedForGood' })
    const next = rows[index + 1] ?? rows[index - 1] ?? null
    if (openedId === id) {
      setOpenedId(null)
      setRequest(null)
      setReaderRound((n) => n + 1)
    }
    await box.reload()
    setSelectedId(next?.id ?? null)
    listRef.current?.focus()
  }
  // j/k and Delete work from the read pane too (the list handles its own keys); never while typing.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return
    if (listRef.current?.contains(event.target as Node)) return
    const at = rows.findIndex((row) => row.id === selectedId)
    if ((event.key === 'j' || event.key === 'k') && rows.length > 0) {
      event.preventDefault()
      const to = Math.min(rows.length - 1, Math.max(0, at + (event.key === 'j' ? 1 : -1)))
      setSelectedId(rows[to]!.id)
      listRef.current?.focus()
    } else if (event.key === 'Delete' && selectedId && !(event.target as HTMLElement).closest('button')) {
      event.preventDefault()
      void remove(selectedId)
    }
  }

  const folder = box.accounts
    ?.find((account) => account.name === current?.account)
    ?.folders.find((f) => f.name === current?.folder)
  const folderName = folder ? folderLabel(folder, w) : (current?.folder ?? '')
  const search = box.search.trim()
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
        <FolderPane
          accounts={box.accounts ?? []}
          current={current}
          onChoose={(ref) => (box.setCurrent(ref), box.setSearch(''))}
        />
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
              <p className="sp-list-head" data-testid="list-count">
                {search
                  ? w('inbox.countSearch', { count: number(rows.length), total: number(box.total) })
                  : w('inbox.count', { count: number(rows.length) })}
              </p>
              {rows.length === 0 && (
                <p className="empty sp-list-empty">
                  {search ? w('inbox.noMatch', { search }) : w('inbox.emptyFolder')}
                </p>
              )}
              <MessageList
                rows={rows}
                selectedId={selectedId}
                label={w('inbox.messages', { folder: folderName })}
                onSelect={setSelectedId}
                onOpen={open}
                onDelete={(id) => void remove(id)}
                listRef={listRef}
              />
              <p className="sp-keys">{w('inbox.keys')}</p>
            </>
          )}
        </section>
        <section className="sp-read-pane" data-testid="read-pane" aria-label={w('inbox.reading')}>
          <MailReader
            key={readerRound}
            request={request}
            onOpened={onOpened}
            onClosed={() => setOpenedId(null)}
            onBusy={setReaderBusy}
          />
          {!openedId && rows.length > 0 && <p className="sp-muted sp-pick">{w('inbox.pickMessage')}</p>}
        </section>
      </div>
    </div>
  )
}
