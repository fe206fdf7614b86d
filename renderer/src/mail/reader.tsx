import { useState, type DragEvent } from 'react'
import type { MailSource, ReadingView } from '../../../preload/mail-contract'
import { ErrorNotice } from '../components'
import { readFiles } from '../keys/import-state'
import { OpeningProgress, useOpening } from './opening'
import { ReadView } from './read-view'
import { useMailWords } from './words'
import './mail.css'

/**
 * Opening a message from disk: main's open dialog, or an .eml file dropped here. The bytes go to
 * main; what comes back is the display document only.
 */
export function MailReader() {
  const { w } = useMailWords()
  const opening = useOpening()
  const { busy, error } = opening
  const [view, setView] = useState<ReadingView | null>(null)
  const [dragging, setDragging] = useState(false)
  const open = async (source: MailSource) => {
    const reading = await opening.open(source)
    if (!reading) return
    if (view && source.kind !== 'again') void window.siegelpost.mailClose({ readingId: view.readingId })
    setView(reading)
  }
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
          }}
        />
      )}
    </div>
  )
}
