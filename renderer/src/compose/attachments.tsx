import { useState, type DragEvent } from 'react'
import type { DraftSummary } from '../../../preload/contract'
import { Busy, ErrorNotice } from '../components'
import { useI18n } from '../i18n'
import { formatSize } from '../pages/compose'
import { PaperclipIcon } from './chip-icon'
import { useAction } from '../use-call'

/** The preload's path of a dropped file (Electron's webUtils); absent outside the app. */
type FilePaths = { pathFor: (file: File) => string }
const filePaths = () => (window as unknown as { siegelpostFiles?: FilePaths }).siegelpostFiles

/**
 * The draft's attachments: added with main's file dialog or by dropping files here. Main copies each
 * file into the sealed draft by its path, so the file's bytes never pass through the window.
 */
export function Attachments({
  draftId,
  attachments,
  ensureDraft,
  onDraft,
}: {
  draftId: string | null
  attachments: DraftSummary['attachments']
  ensureDraft: () => Promise<string | null>
  onDraft: (draft: DraftSummary) => void
}) {
  const { lang, t } = useI18n()
  const { busy, error, run } = useAction()
  const [dragging, setDragging] = useState(false)
  const add = async (paths?: string[]) => {
    const id = draftId ?? (await ensureDraft())
    if (!id) return
    const result = await run(() => window.siegelpost.composeAttach(paths ? { id, paths } : { id }))
    if (result) onDraft(result.value.draft)
  }
  const remove = async (attachmentId: string) => {
    if (!draftId) return
    const result = await run(() => window.siegelpost.composeDetach({ id: draftId, attachmentId }))
    if (result) onDraft(result.value)
  }
  const onDrop = (event: DragEvent) => {
    event.preventDefault()
    setDragging(false)
    const helper = filePaths()
    const paths = helper
      ? [...event.dataTransfer.files].map((file) => helper.pathFor(file)).filter((p) => p !== '')
      : []
    if (paths.length > 0) void add(paths)
  }
  const total = attachments.reduce((sum, a) => sum + a.size, 0)
  return (
    <section
      className={`attachments-zone${dragging ? ' dragging' : ''}`}
      aria-labelledby="attachments-title"
      onDragOver={(event) => (event.preventDefault(), setDragging(true))}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      data-testid="attachments"
    >
      <h2 id="attachments-title" className="section-title">
        {t('compose.attachments')}
        {attachments.length > 0 && (
          <span className="muted">
            {' '}
            ·{' '}
            {t(attachments.length === 1 ? 'compose.attachmentsOne' : 'compose.attachmentsTotal', {
              count: attachments.length,
              size: formatSize(total, lang),
            })}
          </span>
        )}
      </h2>
      {attachments.length > 0 && (
        <ul className="attachments">
          {attachments.map((attachment) => (
            <li key={attachment.id} className="attachment-chip" data-testid="attachment">
              <PaperclipIcon />
              <span className="attachment-name">{attachment.fileName}</span>
              <span className="visually-hidden">, </span>
              <span className="attachment-size">{formatSize(attachment.size, lang)}</span>
              <button
                type="button"
                className="chip-remove"
                onClick={() => void remove(attachment.id)}
                aria-label={t('compose.removeAttachment', { name: attachment.fileName })}
                disabled={busy}
              >
                <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <p className="attach-line">
        <button type="button" onClick={() => void add()} disabled={busy}>
          {t('compose.attach')}
        </button>{' '}
        <span className="muted">{t('compose.dropHint')}</span>
      </p>
      {busy && <Busy text={t('compose.attaching')} />}
      {error && <ErrorNotice error={error} />}
    </section>
  )
}
