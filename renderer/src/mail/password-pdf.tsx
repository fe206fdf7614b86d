import { useState, type FormEvent } from 'react'
import type { OpenedContainerView } from '../../../preload/contract'
import type { ReadingView } from '../../../preload/mail-contract'
import { OpenedContainerContent } from '../clients/opened-container'
import { Busy, ErrorNotice, Notice } from '../components'
import { useI18n } from '../i18n'
import { useAction } from '../use-call'
import '../clients/clients.css'
import './password-pdf.css'

type Attachment = ReadingView['attachments'][number]

/** One attached password PDF: the offer, the password form, and what it holds once opened. */
function PasswordPdf({ readingId, attachment }: { readingId: string; attachment: Attachment }) {
  const { t } = useI18n()
  const [isAsking, setAsking] = useState(false)
  const [password, setPassword] = useState('')
  // A generated password is 24 characters read off a letter: showing it while typing avoids blind retries.
  const [isShown, setShown] = useState(false)
  const [opened, setOpened] = useState<OpenedContainerView | null>(null)
  const [savedNote, setSavedNote] = useState<string | null>(null)
  const { busy, error, run } = useAction()
  const id = `sp-pdf-${attachment.index}`
  const open = async (event: FormEvent) => {
    event.preventDefault()
    const done = await run(() => window.siegelpost.mailContainerOpen({ readingId, index: attachment.index, password }))
    if (!done) return
    setPassword('')
    setOpened(done.value)
  }
  const save = async (file: number) => {
    setSavedNote(null)
    const done = await run(() => window.siegelpost.mailContainerSave({ readingId, index: attachment.index, file }))
    if (done?.value.saved) setSavedNote(t('container.saved', { name: done.value.fileName }))
  }
  return (
    <section className="sp-password-pdf" aria-labelledby={`${id}-title`} data-testid="password-pdf">
      <h2 id={`${id}-title`}>{t('mailpdf.title', { name: attachment.filename })}</h2>
      {!opened && <p>{t('mailpdf.intro')}</p>}
      {!opened && !isAsking && (
        <button type="button" className="primary" onClick={() => setAsking(true)}>
          {t('mailpdf.open')}
        </button>
      )}
      {!opened && isAsking && (
        <form onSubmit={(event) => void open(event)}>
          <label htmlFor={`${id}-password`}>{t('container.password')}</label>
          <input
            id={`${id}-password`}
            type={isShown ? 'text' : 'password'}
            autoComplete="off"
            autoFocus
            required
            maxLength={1024}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-describedby={`${id}-hint`}
          />
          <label className="choice show-password">
            <input type="checkbox" checked={isShown} onChange={(e) => setShown(e.target.checked)} />{' '}
            {t('container.password.show')}
          </label>
          <p id={`${id}-hint`} className="hint">
            {t('container.password.hint')}
          </p>
          {error && <ErrorNotice error={error} />}
          {busy && <Busy text={t('container.opening')} />}
          <div className="actions">
            <button type="button" onClick={() => (setAsking(false), setPassword(''))} disabled={busy}>
              {t('mailpdf.cancel')}
            </button>
            <button type="submit" className="primary" disabled={busy || password === ''}>
              {t('mailpdf.open')}
            </button>
          </div>
        </form>
      )}
      {opened && (
        <div className="container-opened" data-testid="container-opened">
          <h3>{t('mailpdf.opened')}</h3>
          <Notice tone="ok" role="status">
            {t('container.openedOk')}
          </Notice>
          <Notice tone="info" role="status">
            {t('mailpdf.unsigned')}
          </Notice>
          <OpenedContainerContent opened={opened} busy={busy} onSave={(file) => void save(file)} />
          {savedNote && (
            <Notice tone="ok" testId="container-saved">
              {savedNote}
            </Notice>
          )}
          {error && <ErrorNotice error={error} />}
        </div>
      )}
    </section>
  )
}

/**
 * "Passwort-PDF öffnen" in the read view: for each attached password PDF (what Siegelpost sends to clients
 * without keys), the password goes to main, which opens the PDF with the `container open` core and keeps the
 * files; the view shows the text and the enclosed files, saved like attachments. Outside the message content.
 */
export function PasswordPdfs({ view }: { view: ReadingView }) {
  const pdfs = view.attachments.filter((a) => a.isPasswordPdf)
  return pdfs.map((attachment) => (
    <PasswordPdf key={attachment.index} readingId={view.readingId} attachment={attachment} />
  ))
}
