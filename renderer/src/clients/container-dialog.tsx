import { useEffect, useRef, useState, type FormEvent } from 'react'
import type { OpenedContainerView } from '../../../preload/contract'
import { Busy, Dialog, ErrorNotice, Notice } from '../components'
import { useI18n } from '../i18n'
import { useAction } from '../use-call'
import { OpenedContainerContent } from './opened-container'

/**
 * "Passwort-PDF öffnen": a password PDF received from someone using Siegelpost. Main asks for the file,
 * opens it with the password and keeps the attachments; this dialog shows the sender, date, subject, text
 * and the enclosed files with SHA-256, and saves a file through main. Nothing here is trusted content
 * beyond text: the message is shown as plain text.
 */
export function ContainerDialog({ onClose }: { onClose: () => void }) {
  const { t } = useI18n()
  const [chosen, setChosen] = useState<{ containerId: string; fileName: string } | null>(null)
  const [password, setPassword] = useState('')
  // A generated password is 24 characters read off a letter: showing it while typing avoids blind retries.
  const [isShown, setShown] = useState(false)
  const [opened, setOpened] = useState<OpenedContainerView | null>(null)
  const [savedNote, setSavedNote] = useState<string | null>(null)
  const { busy, error, run } = useAction()
  const idRef = useRef<string | null>(null)
  idRef.current = chosen?.containerId ?? null
  // Main forgets the file and its opened attachments when the dialog closes.
  useEffect(() => () => void (idRef.current && window.siegelpost.containerClose({ containerId: idRef.current })), [])

  const choose = async () => {
    const done = await run(() => window.siegelpost.containerChoose())
    if (!done || done.value.containerId === null) return
    if (chosen) void window.siegelpost.containerClose({ containerId: chosen.containerId })
    setChosen({ containerId: done.value.containerId, fileName: done.value.fileName })
    setOpened(null)
    setSavedNote(null)
  }
  const open = async (event: FormEvent) => {
    event.preventDefault()
    if (!chosen) return
    const done = await run(() => window.siegelpost.containerOpen({ containerId: chosen.containerId, password }))
    setPassword('')
    if (done) setOpened(done.value)
  }
  const save = async (index: number) => {
    if (!chosen) return
    setSavedNote(null)
    const done = await run(() => window.siegelpost.containerSaveAttachment({ containerId: chosen.containerId, index }))
    if (done?.value.saved) setSavedNote(t('container.saved', { name: done.value.fileName }))
  }

  return (
    <Dialog title={t('container.title')} onClose={onClose} wide>
      {!opened && (
        <>
          <p>{t('container.intro')}</p>
          <div className="container-choose">
            <button type="button" className={chosen ? undefined : 'primary'} onClick={choose} disabled={busy}>
              {t(chosen ? 'container.chooseOther' : 'container.choose')}
            </button>
            {chosen && (
              <p className="chosen" data-testid="container-file">
                {t('container.chosen', { name: chosen.fileName })}
              </p>
            )}
          </div>
          {chosen && (
            <form onSubmit={open}>
              <label htmlFor="container-password">{t('container.password')}</label>
              <input
                id="container-password"
                type={isShown ? 'text' : 'password'}
                name="container-password"
                autoComplete="off"
                required
                maxLength={1024}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                aria-describedby="container-password-hint"
              />
              <label className="choice show-password">
                <input
                  type="checkbox"
                  name="show-password"
                  checked={isShown}
                  onChange={(e) => setShown(e.target.checked)}
                />
                {t('container.password.show')}
              </label>
              <p id="container-password-hint" className="hint">
                {t('container.password.hint')}
              </p>
              {error && <ErrorNotice error={error} />}
              {busy && <Busy text={t('container.opening')} />}
              <div className="actions">
                <button type="button" onClick={onClose} disabled={busy}>
                  {t('common.cancel')}
                </button>
                <button type="submit" className="primary" disabled={busy || password === ''}>
                  {t('container.open')}
                </button>
              </div>
            </form>
          )}
          {!chosen && (
            <>
              {error && <ErrorNotice error={error} />}
              <div className="actions">
                <button type="button" onClick={onClose}>
                  {t('common.cancel')}
                </button>
              </div>
            </>
          )}
        </>
      )}
      {opened && (
        <div className="container-opened" data-testid="container-opened">
          <Notice tone="ok" role="status">
            {t('container.openedOk')}
          </Notice>
          {/* Encrypted is not signed: the sender shown below is not confirmed (same words as in the inbox). */}
          <Notice tone="info" role="status" testId="container-unsigned">
            {t('mailpdf.unsigned')}
          </Notice>
          <OpenedContainerContent opened={opened} busy={busy} onSave={(index) => void save(index)} />
          {savedNote && (
            <Notice tone="ok" testId="container-saved">
              {savedNote}
            </Notice>
          )}
          {error && <ErrorNotice error={error} />}
          <div className="actions">
            <button type="button" className="primary" onClick={onClose}>
              {t('container.close')}
            </button>
          </div>
        </div>
      )}
    </Dialog>
  )
}
