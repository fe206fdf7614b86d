import { useEffect, useRef, useState } from 'react'
import type { MailSource, ReadingView } from '../../../preload/mail-contract'
import { ErrorNotice } from '../components'
import { toBase64 } from '../keys/import-state'
import { OpeningPlaceholder, OpeningProgress, useOpening, type Opened } from './opening'
import { ReadView } from './read-view'
import { useMailWords } from './words'
import './mail.css'
import './mail-details.css'

/** What the Posteingang asks the reader to open (a stored message by id, or main's open dialog); `seq` repeats it. */
export interface ReaderRequest {
  source: MailSource
  seq: number
}

export type SeenAnswer = Opened['seen']

const hasFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') === true

/** The preload's path of a dropped file (Electron's webUtils); absent outside the app, '' for a file without one. */
const pathOf = (file: File) =>
  (window as unknown as { siegelpostFiles?: { pathFor: (file: File) => string } }).siegelpostFiles?.pathFor(file) ?? ''

/** Bytes per step of the base64 of a dropped file (a multiple of 3): one step is a short task. */
const base64Step = 3 * 256 * 1024

/**
 * A dropped file's bytes in base64, a step at a time with the window free in between (the browser's own
 * encoder where it has one): megabytes encoded at once would stall the window.
 */
async function fileBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  const parts: string[] = []
  for (let at = 0; at < bytes.length; at += base64Step) {
    const step = bytes.subarray(at, at + base64Step) as Uint8Array & { toBase64?: () => string }
    parts.push(step.toBase64 ? step.toBase64() : toBase64(step))
    await new Promise((resolve) => setTimeout(resolve, 0))
  }
  return parts.join('')
}

/** What opens a dropped file: its path where the app knows it (main reads it), else its bytes. */
async function droppedSource(file: File): Promise<MailSource> {
  const path = pathOf(file)
  if (path !== '') return { kind: 'dropped-path', path }
  return { kind: 'dropped', fileName: file.name || 'message.eml', data: await fileBase64(file) }
}

/**
 * A file dragged over the window: an overlay says where it goes while the drag lasts; dropped, the
 * first file is handed to `onFile`. Listens on the window, so the whole Posteingang takes the drop.
 */
function useWindowDrop(onFile: (file: File) => void) {
  const [dragging, setDragging] = useState(false)
  const depth = useRef(0)
  const latest = useRef(onFile)
  latest.current = onFile
  useEffect(() => {
    const enter = (event: DragEvent) => {
      if (!hasFiles(event)) return
      event.preventDefault()
      depth.current += 1
      setDragging(true)
    }
    const over = (event: DragEvent) => {
      if (!hasFiles(event)) return
      event.preventDefault()
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy'
    }
    const leave = (event: DragEvent) => {
      if (!hasFiles(event)) return
      depth.current = Math.max(0, depth.current - 1)
      if (depth.current === 0) setDragging(false)
    }
    const drop = (event: DragEvent) => {
      if (!hasFiles(event)) return
      event.preventDefault()
      depth.current = 0
      setDragging(false)
      const file = event.dataTransfer?.files[0]
      if (file) latest.current(file)
    }
    const end = () => ((depth.current = 0), setDragging(false))
    window.addEventListener('dragenter', enter)
    window.addEventListener('dragover', over)
    window.addEventListener('dragleave', leave)
    window.addEventListener('drop', drop)
    window.addEventListener('dragend', end)
    return () => {
      window.removeEventListener('dragenter', enter)
      window.removeEventListener('dragover', over)
      window.removeEventListener('dragleave', leave)
      window.removeEventListener('drop', drop)
      window.removeEventListener('dragend', end)
    }
  }, [])
  return dragging
}

/**
 * Opening a message: from the store or main's open dialog (the Posteingang's `request`), or an .eml
 * file dropped onto the window. The bytes stay in or go to main; what comes back is the display
 * document only. While a message opens, the one shown before is gone from the pane (its bar must never
 * stand beside another message); a cancelled or failed opening closes it, a dismissed dialog brings it back.
 */
export function MailReader({
  request = null,
  onOpened,
  onClosed,
  onBusy,
}: {
  request?: ReaderRequest | null
  onOpened?: (source: MailSource, seen: SeenAnswer) => void
  onClosed?: () => void
  onBusy?: (busy: boolean) => void
} = {}) {
  const { w } = useMailWords()
  const opening = useOpening()
  const { busy, error } = opening
  const [view, setView] = useState<ReadingView | null>(null)
  const shown = useRef<ReadingView | null>(null)
  shown.current = view
  const open = async (source: MailSource) => {
    const result = await opening.open(source)
    if (result.kind === 'superseded' || result.kind === 'nothing') return
    // Main closed the reading itself when it opened it again.
    const previous = shown.current
    if (previous && source.kind !== 'again') void window.siegelpost.mailClose({ readingId: previous.readingId })
    if (result.kind !== 'opened') {
      // Cancelled or failed: the pane says so, and shows no other message as if it were this one.
      setView(null)
      onClosed?.()
      return
    }
    setView(result.reading)
    onOpened?.(source, result.seen)
  }
  useEffect(() => {
    if (request) void open(request.source)
    // Only a new request opens; `open` changes with every render.
  }, [request?.seq])
  useEffect(() => onBusy?.(busy), [busy])
  const dragging = useWindowDrop((file) => {
    if (!busy) void droppedSource(file).then(open)
  })
  return (
    <div className="sp-reader">
      {dragging && (
        <div className="sp-drop-overlay" data-testid="eml-drop" aria-hidden="true">
          <p>{w('reader.dropActive')}</p>
        </div>
      )}
      {busy ? <OpeningPlaceholder opening={opening} /> : <OpeningProgress opening={opening} />}
      {error && <ErrorNotice error={error} />}
      {view && !busy && (
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

/** The Posteingang's toolbar button that opens a saved .eml file through main's open dialog. */
export function OpenFileButton({ disabled, onOpen }: { disabled: boolean; onOpen: () => void }) {
  const { w } = useMailWords()
  return (
    <button
      type="button"
      className="sp-open-file"
      data-testid="open-eml"
      title={w('reader.openHint')}
      disabled={disabled}
      onClick={onOpen}
    >
      {w('reader.open')}
    </button>
  )
}
