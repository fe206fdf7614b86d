import { useReducer, type DragEvent } from 'react'
import type { Response } from '../../../preload/contract'
import { Busy, Dialog, ErrorNotice, Notice, StepList } from '../components'
import { useI18n, type MessageKey } from '../i18n'
import { settle } from '../use-call'
import { Fingerprint } from './fingerprint'
import {
  afterImport,
  afterInspect,
  chosen,
  current as currentOf,
  type Entry,
  importReducer,
  initialImportState,
  isSettled,
  readFiles,
  request,
  type Source,
  type Step,
  toImport as toImportOf,
} from './import-state'
import { KeyCards } from './key-cards'
import { VerifyDialog } from './verify-dialog'

const steps: { id: Step; label: MessageKey }[] = [
  { id: 'source', label: 'import.step.source' },
  { id: 'passphrase', label: 'import.step.passphrase' },
  { id: 'preview', label: 'import.step.preview' },
  { id: 'result', label: 'import.step.result' },
]

/**
 * Import wizard (UI.md §1.2): one or several files (chosen, dropped) or pasted text → a password only
 * for the files that need one → a preview of every key found, file by file → result. The rules live in
 * importReducer (import-state.ts); this component asks main and shows the state.
 */
export function ImportWizard({
  onClose,
  onImported,
  initialFiles,
}: {
  onClose: () => void
  onImported: () => void
  initialFiles?: Source[]
}) {
  const { lang, t } = useI18n()
  const [state, dispatch] = useReducer(importReducer, initialFiles, initialImportState)
  const { step, tab, files, text, imported, importedFiles, verifying, error, busy, dragging, askedPassphrase } = state
  const current = currentOf(state)
  const toImport = toImportOf(state)
  const label = (entry: Entry) => (entry.pasted ? t('import.tab.text') : entry.fileName)

  const addFiles = async (list: FileList | File[] | null | undefined) => {
    if (!list || list.length === 0) return
    dispatch({ type: 'filesAdded', sources: await readFiles(list) })
  }

  /** Asks main what each file holds; files that need a password wait for it, broken files carry their error. */
  const inspect = async (list: Entry[]) => {
    dispatch({ type: 'started' })
    const checked: Entry[] = []
    for (const entry of list) {
      checked.push(
        isSettled(entry) ? entry : afterInspect(entry, await settle(window.siegelpost.keysInspect(request(entry)))),
      )
    }
    dispatch({ type: 'inspected', checked })
  }
  const continueWithPasswords = () =>
    inspect(current.map((entry) => (entry.state === 'needsPassphrase' ? { ...entry, state: 'new' } : entry)))

  const runImport = async () => {
    dispatch({ type: 'started' })
    const done: Response<'keys:import'> = []
    const after: Entry[] = []
    for (const entry of current) {
      if (!toImport.includes(entry)) {
        after.push(entry)
        continue
      }
      const result = await settle(window.siegelpost.keysImport(request(entry)))
      if (result.ok) done.push(...result.value)
      after.push(afterImport(entry, result))
    }
    dispatch({ type: 'importFinished', entries: after, imported: done })
    if (done.length > 0) onImported()
  }

  const onDrop = (event: DragEvent) => {
    event.preventDefault()
    dispatch({ type: 'dragging', dragging: false })
    void addFiles(event.dataTransfer.files)
  }
  const setDragging = (dragging: boolean) => dispatch({ type: 'dragging', dragging })
  const back = () => dispatch({ type: 'back' })

  const previewKeys = current.filter((entry) => entry.state === 'ready').flatMap((entry) => entry.keys)
  const failed = current.filter((entry) => entry.state === 'failed')

  return (
    <Dialog title={t('import.title')} onClose={onClose} wide>
      {/* The password step counts as done only when a password was asked for; otherwise it was skipped. */}
      <StepList steps={steps} current={step} wasSkipped={(id) => id === 'passphrase' && !askedPassphrase} />

      {step === 'source' && (
        <>
          <div role="tablist" className="tabs">
            {(['file', 'text'] as const).map((id) => (
              <button
                key={id}
                type="button"
                role="tab"
                aria-selected={tab === id}
                id={`tab-${id}`}
                aria-controls={`panel-${id}`}
                onClick={() => dispatch({ type: 'tab', tab: id })}
              >
                {t(id === 'file' ? 'import.tab.file' : 'import.tab.text')}
              </button>
            ))}
          </div>
          {tab === 'file' ? (
            <div role="tabpanel" id="panel-file" aria-labelledby="tab-file">
              <p id="import-file-hint">{t('import.fileHint')}</p>
              <div
                className={dragging ? 'dropzone dropzone-active' : 'dropzone'}
                role="group"
                aria-label={t('import.dropZoneLabel')}
                aria-describedby="import-file-hint"
                data-testid="dropzone"
                onDragEnter={(event) => (event.preventDefault(), setDragging(true))}
                onDragOver={(event) => (event.preventDefault(), setDragging(true))}
                onDragLeave={() => setDragging(false)}
                onDrop={onDrop}
              >
                <label className="file-label file-button">
                  {t('import.chooseFiles')}
                  <input
                    className="visually-hidden"
                    type="file"
                    multiple
                    accept=".p12,.pfx,.pem,.crt,.cer,.der,.p7b,.p7c,.asc,.gpg,.pgp,.key"
                    onChange={(event) => {
                      const input = event.target
                      void addFiles([...(input.files ?? [])]).then(() => (input.value = ''))
                    }}
                  />
                </label>
                <span className="dropzone-hint">{t('import.dropHere')}</span>
              </div>
              {/* Dropped files arrive without focus moving: say so to screen readers. */}
              <p className="visually-hidden" aria-live="polite">
                {files.length > 0 ? t('import.chosenCount', { count: files.length }) : ''}
              </p>
              {files.length > 0 && (
                <>
                  <h3 className="chosen-title" id="chosen-title">
                    {t('import.chosenCount', { count: files.length })}
                  </h3>
                  <ul className="file-list" aria-labelledby="chosen-title">
                    {files.map((entry) => (
                      <li key={entry.id}>
                        <span className="file-name">{entry.fileName}</span>
                        <button
                          type="button"
                          className="link"
                          aria-label={t('import.removeFile', { name: entry.fileName })}
                          onClick={() => dispatch({ type: 'fileRemoved', id: entry.id })}
                        >
                          {t('import.remove')}
                        </button>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </div>
          ) : (
            <div role="tabpanel" id="panel-text" aria-labelledby="tab-text">
              <label htmlFor="import-text">{t('import.textLabel')}</label>
              <p className="hint" id="import-text-hint">
                {t('import.textHint')}
              </p>
              <textarea
                id="import-text"
                aria-describedby="import-text-hint"
                rows={8}
                value={text}
                onChange={(event) => dispatch({ type: 'text', text: event.target.value })}
                spellCheck={false}
              />
            </div>
          )}
        </>
      )}

      {step === 'passphrase' && (
        <form
          onSubmit={(event) => {
            event.preventDefault()
            void continueWithPasswords()
          }}
        >
          <p>
            {t(
              current.filter((entry) => entry.state === 'needsPassphrase').length === 1
                ? 'import.passphraseIntroFile'
                : 'import.passphraseIntroFiles',
            )}
          </p>
          {current
            .filter((entry) => entry.state === 'needsPassphrase')
            .map((entry, index) => (
              <div key={entry.id} className="file-passphrase">
                <label htmlFor={`import-passphrase-${entry.id}`}>
                  {t('import.passphraseFor', { name: label(entry) })}
                </label>
                <input
                  id={`import-passphrase-${entry.id}`}
                  type="password"
                  autoComplete="off"
                  value={entry.passphrase}
                  onChange={(event) =>
                    dispatch({ type: 'entryChanged', id: entry.id, change: { passphrase: event.target.value } })
                  }
                  autoFocus={index === 0}
                />
                {entry.error && <ErrorNotice error={entry.error} />}
                {current.length > 1 && (
                  <button
                    type="button"
                    className="link"
                    onClick={() => dispatch({ type: 'fileSkipped', id: entry.id })}
                  >
                    {t('import.skipFile', { name: label(entry) })}
                  </button>
                )}
              </div>
            ))}
          <button type="submit" hidden />
        </form>
      )}

      {step === 'preview' && (
        <>
          <p>
            {current.length > 1
              ? t('import.previewIntroFiles', { count: current.length })
              : t('import.previewIntro', { name: current[0] ? label(current[0]) : '' })}
          </p>
          {current.length > 1 ? null : previewKeys.some((key) => key.hasSecret) ? (
            <Notice tone="warning">{t('import.secretWarning')}</Notice>
          ) : previewKeys.length > 0 ? (
            <Notice tone="info" testId="no-secret">
              {t('import.noSecret')}
            </Notice>
          ) : null}
          {current.length > 1 && failed.length > 0 && (
            <Notice tone="warning" testId="some-failed">
              {t('import.someFailed', { names: failed.map(label).join(', ') })}
            </Notice>
          )}
          <div className="file-groups">
            {current.map((entry) => (
              <section
                key={entry.id}
                className={current.length > 1 ? 'file-group' : undefined}
                aria-labelledby={current.length > 1 ? `file-${entry.id}` : undefined}
                data-file={entry.fileName}
              >
                {current.length > 1 && (
                  <h3 id={`file-${entry.id}`} className="file-group-title">
                    {entry.state === 'ready' ? (
                      <label>
                        <input
                          type="checkbox"
                          checked={entry.include}
                          onChange={(event) =>
                            dispatch({ type: 'entryChanged', id: entry.id, change: { include: event.target.checked } })
                          }
                        />{' '}
                        {t('import.includeFile', { name: label(entry) })}
                      </label>
                    ) : (
                      label(entry)
                    )}
                  </h3>
                )}
                {entry.state === 'failed' && entry.error && <ErrorNotice error={entry.error} />}
                {entry.state === 'skipped' && <p className="hint">{t('import.fileSkipped')}</p>}
                {entry.state === 'ready' && current.length > 1 && entry.keys.some((key) => key.hasSecret) && (
                  <Notice tone="warning">{t('import.secretWarning')}</Notice>
                )}
                {entry.state === 'ready' && <KeyCards keys={entry.keys} lang={lang} nested={current.length > 1} />}
              </section>
            ))}
          </div>
        </>
      )}

      {step === 'result' && (
        <>
          {imported.length > 0 && failed.length === 0 && <Notice tone="ok">{t('import.success')}</Notice>}
          {imported.length > 0 && failed.length > 0 && (
            <Notice tone="warning" role="status">
              {t('import.partial', { done: importedFiles, total: importedFiles + failed.length })}
            </Notice>
          )}
          {failed.map((entry) => (
            <div key={entry.id}>
              <h3 className="file-group-title">{label(entry)}</h3>
              {entry.error && <ErrorNotice error={entry.error} />}
            </div>
          ))}
          <ul className="cards result-cards">
            {imported.map((key) => (
              <li key={`${key.technology}:${key.fingerprint}`} className="card key-card">
                <h3>{key.name}</h3>
                <Fingerprint value={key.fingerprint} caption />
                {key.hasSecret ? (
                  // One's own key: nothing to compare with anyone; say what it is for now.
                  <p data-testid="result-own">
                    <span aria-hidden="true">✓ </span>
                    {t('import.resultOwn')}
                  </p>
                ) : key.acceptance === 'unverified' ? (
                  <>
                    <p>{t('import.resultUnverified', { name: key.name })}</p>
                    <button type="button" className="primary" onClick={() => dispatch({ type: 'verify', key })}>
                      {t('import.verifyNow')}
                    </button>
                  </>
                ) : (
                  <p>
                    <span aria-hidden="true">✓ </span>
                    {t('keys.acceptance.verified')}
                  </p>
                )}
              </li>
            ))}
          </ul>
        </>
      )}

      {error && <ErrorNotice error={error} />}
      {busy && <Busy />}

      <div className="actions">
        {step === 'source' && (
          <>
            <button type="button" onClick={onClose}>
              {t('common.cancel')}
            </button>
            <button
              type="button"
              className="primary"
              disabled={chosen(state).length === 0 || busy}
              onClick={() => void inspect(chosen(state))}
            >
              {t('common.continue')}
            </button>
          </>
        )}
        {step === 'passphrase' && (
          <>
            <button type="button" onClick={back} disabled={busy}>
              {t('common.back')}
            </button>
            <button
              type="button"
              className="primary"
              disabled={busy || current.some((entry) => entry.state === 'needsPassphrase' && !entry.passphrase)}
              onClick={() => void continueWithPasswords()}
            >
              {t('common.continue')}
            </button>
          </>
        )}
        {step === 'preview' && (
          <>
            <button type="button" onClick={back} disabled={busy}>
              {t('common.back')}
            </button>
            <button
              type="button"
              className="primary"
              disabled={busy || toImport.length === 0}
              onClick={() => void runImport()}
            >
              {t('import.doImport')}
            </button>
          </>
        )}
        {step === 'result' && (
          <button type="button" onClick={onClose}>
            {imported.some((key) => !key.hasSecret && key.acceptance === 'unverified')
              ? t('import.verifyLater')
              : t('common.close')}
          </button>
        )}
      </div>
      {verifying && (
        <VerifyDialog
          target={verifying}
          onClose={() => dispatch({ type: 'verify', key: null })}
          onVerified={(key) => {
            dispatch({ type: 'verified', key })
            onImported()
          }}
        />
      )}
    </Dialog>
  )
}
