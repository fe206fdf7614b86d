import { useEffect, useState, type DragEvent } from 'react'
import type { MailSource, ReadingView } from '../../../preload/mail-contract'
import { ErrorNotice } from '../components'
import { readFiles } from '../keys/import-state'
import { OpeningProgress, useOpening, type Opened } from './opening'
import { ReadView } from './read-view'
import { useMailWords } from './words'
import './mail.css'
import './mail-details.css'

/** What the Posteingang asks the reader to open (a stored message by id); `seq` repeats a request. */
export interface ReaderRequest {
  source: MailSource
  seq: number
}

export type SeenAnswer = Opened['seen']

/**
 * Opening a message: from the store (the Posteingang's `request`), main's open dialog, or an .eml
 * file dropped here. The bytes stay in or go to main; what comes back is the display document only.
 */
export function MailReader({
  request = null,
  onOpened,
  onClosed,
}: {
  request?: ReaderRequest | null
  onOpened?: (source: MailSource, seen: SeenAnswer) => void
  onClosed?: () => void
} = {}) {
  const { w } = useMailWords()
  const opening = useOpening()
  const { busy, error } = opening
  const [view, setView] = useState<ReadingView | null>(null)
  const [dragging, setDragging] = useState(false)
  const open = async (source: MailSource) => {
    const opened = await opening.open(source)
    if (!opened) return
    if (view && source.kind !== 'again') void window.siegelpost.mailClose({ readingId: view.readingId })
    setView(opened.reading)
    onOpened?.(source, opened.seen)
  }
  useEffect(() => {
    if (request) void open(request.source)
    // Only a new request opens; `open` changes with every render.
  }, [request?.seq])
  const drop = async (event: DragEvent) => {
    event.preventDefault()
    setDragging(false)
    const file = [...event.dataTransfer.files][0]
    if (!file) return
    const [source] = await readFiles([file])
    if (source) await open({ kind: 'dropped', fileName: source.fileName, data: source.data })
  }
  return (
    <div className="sp-reader">
      <div
        className={dragging ? 'sp-drop sp-drop-active' : 'sp-drop'}
        data-testid="eml-drop"
        onDragOver={(event) => (event.preventDefault(), setDragging(true))}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => void drop(event)}
      >
        <button
          type="button"
          className="primary"
          data-testid="open-eml"
          onClick={() => void open({ kind: 'dialog' })}
          disabled={busy}
        >
          {w('reader.open')}
        </button>
        <span className="sp-muted">{dragging ? w('reader.dropActive') : w('reader.drop')}</span>
      </div>
      <OpeningProgress opening={opening} />
      {error && <ErrorNotice error={error} />}
      {view && (
        <ReadView
          key={view.readingId}
          view={view}
          onAgain={() => void open({ kind: 'again', readingId: view.readingId })}
          onClose={() => {
            void window.siegelpost.mailClose({ readingId: view.readingId })
            setView(null)
            onClosed?.()
          }}
        />
      )}
    </div>
  )
}
