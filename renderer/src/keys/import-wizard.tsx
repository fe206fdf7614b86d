import { useState, type DragEvent } from 'react'
import type { KeyFileRequest, KeySummary, WireError } from '../../../preload/contract'
import { Busy, Dialog, ErrorNotice, Notice } from '../components'
import { useI18n, type MessageKey } from '../i18n'
import { Fingerprint } from './fingerprint'
import { formatDate } from './key-state'
import { VerifyDialog } from './verify-dialog'

type Step = 'source' | 'passphrase' | 'preview' | 'result'
const steps: { id: Step; label: MessageKey }[] = [
  { id: 'source', label: 'import.step.source' },
  { id: 'passphrase', label: 'import.step.passphrase' },
  { id: 'preview', label: 'import.step.preview' },
  { id: 'result', label: 'import.step.result' },
]
/** Codes that mean "ask for the file's password" rather than "show an error". */
const needsPassphrase = new Set(['KEY_PASSPHRASE_REQUIRED'])

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

interface Source {
  fileName: string
  data: string
  pasted?: boolean
}

type Preview = KeySummary & { isNew: boolean; missingIssuer: string | null }

/** One chosen file and what the wizard learned about it; a problem with one file never stops the others. */
interface Entry extends Source {
  id: number
  passphrase: string
  state: 'new' | 'needsPassphrase' | 'ready' | 'failed' | 'skipped'
  keys: Preview[]
  error: WireError | null
  /** The user wants this file imported (ticked in the preview). */
  include: boolean
}

let nextEntryId = 1

/** Reads dropped or chosen files into wizard entries (base64, as the IPC contract wants them). */
export async function readFiles(files: Iterable<File>): Promise<Source[]> {
  return Promise.all([...files].map(async (file) => ({ fileName: file.name, data: toBase64(new Uint8Array(await file.arrayBuffer())) })))
}

const newEntry = (source: Source): Entry => ({ ...source, id: nextEntryId++, passphrase: '', state: 'new', keys: [], error: null, include: true })

/**
 * Import wizard (UI.md §1.2): one or several files (chosen, dropped) or pasted text → a password only
 * for the files that need one → a preview of every key found, file by file → result.
 */
export function ImportWizard({ onClose, onImported, initialFiles }: { onClose: () => void; onImported: () => void; initialFiles?: Source[] }) {
  const { lang, t } = useI18n()
  const [step, setStep] = useState<Step>('source')
  const [tab, setTab] = useState<'file' | 'text'>('file')
  const [entries, setEntries] = useState<Entry[]>(() => (initialFiles ?? []).map(newEntry))
  const [text, setText] = useState('')
  const [imported, setImported] = useState<KeySummary[]>([])
  const [importedFiles, setImportedFiles] = useState(0)
  const [verifying, setVerifying] = useState<KeySummary | null>(null)
  const [error, setError] = useState<WireError | null>(null)
  const [busy, setBusy] = useState(false)
  const [dragging, setDragging] = useState(false)
  const [askedPassphrase, setAskedPassphrase] = useState(false)

  const pasted: Entry | null = text.trim()
    ? { fileName: 'pasted.txt', data: toBase64(new TextEncoder().encode(text)), pasted: true, id: 0, passphrase: '', state: 'new', keys: [], error: null, include: true }
    : null
  const chosen = tab === 'file' ? entries : pasted ? [pasted] : []
  const request = (entry: Entry): KeyFileRequest => ({
    fileName: entry.fileName,
    data: entry.data,
    ...(entry.pasted ? { pasted: true } : {}),
    ...(entry.passphrase ? { passphrase: entry.passphrase } : {}),
  })
  const update = (id: number, change: Partial<Entry>) => setEntries((list) => list.map((entry) => (entry.id === id ? { ...entry, ...change } : entry)))
  const label = (entry: Entry) => (entry.pasted ? t('import.tab.text') : entry.fileName)

  const addFiles = async (files: FileList | File[] | null | undefined) => {
    if (!files || files.length === 0) return
    setError(null)
    const sources = await readFiles(files)
    setEntries((list) => [...list.filter((entry) => !sources.some((s) => s.fileName === entry.fileName)), ...sources.map(newEntry)])
  }

  /** Asks main what each file holds; files that need a password wait for it, broken files carry their error. */
  const inspect = async (list: Entry[]) => {
    setBusy(true)
    setError(null)
    const checked: Entry[] = []
    for (const entry of list) {
      if (entry.state === 'ready' || entry.state === 'skipped' || entry.state === 'failed') {
        checked.push(entry)
        continue
      }
      const result = await window.siegelpost.keysInspect(request(entry))
      if (result.ok) checked.push({ ...entry, state: 'ready', keys: result.value, error: null })
      else if (needsPassphrase.has(result.error.code)) checked.push({ ...entry, state: 'needsPassphrase', error: null })
      else if (result.error.code === 'KEY_PASSPHRASE_WRONG') checked.push({ ...entry, state: 'needsPassphrase', error: result.error })
      else checked.push({ ...entry, state: 'failed', error: result.error })
    }
    setBusy(false)
    if (tab === 'file') setEntries(checked)
    const waiting = checked.some((entry) => entry.state === 'needsPassphrase')
    const ready = checked.some((entry) => entry.state === 'ready')
    if (waiting) {
      setAskedPassphrase(true)
      setStep('passphrase')
    } else if (ready) {
      setStep('preview')
    } else if (tab === 'text' || checked.length === 1) {
      // Nothing readable: the one error stays on the source step, where the user can pick another file.
      setError(checked.find((entry) => entry.error)?.error ?? null)
      if (tab === 'file') setEntries(checked.map((entry) => ({ ...entry, state: 'new', error: null })))
      if (step !== 'source') setStep('source')
    } else {
      setStep('preview')
    }
    return checked
  }

  const [pastedChecked, setPastedChecked] = useState<Entry[]>([])
  const current = tab === 'file' ? entries : pastedChecked
  const startInspect = async () => {
    const checked = await inspect(chosen)
    if (tab === 'text') setPastedChecked(checked)
  }
  const continueWithPasswords = async () => {
    const checked = await inspect(current.map((entry) => (entry.state === 'needsPassphrase' ? { ...entry, state: 'new' } : entry)))
    if (tab === 'text') setPastedChecked(checked)
  }
  const setPassphraseOf = (entry: Entry, passphrase: string) =>
    tab === 'file' ? update(entry.id, { passphrase }) : setPastedChecked((list) => list.map((e) => (e.id === entry.id ? { ...e, passphrase } : e)))

  const toImport = current.filter((entry) => entry.state === 'ready' && entry.include)
  const runImport = async () => {
    setBusy(true)
    setError(null)
    const done: KeySummary[] = []
    const after: Entry[] = []
    for (const entry of current) {
      if (!(entry.state === 'ready' && entry.include)) {
        after.push(entry)
        continue
      }
      const result = await window.siegelpost.keysImport(request(entry))
      if (result.ok) {
        done.push(...result.value)
        after.push({ ...entry, passphrase: '' })
      } else {
        after.push({ ...entry, passphrase: '', state: 'failed', error: result.error })
      }
    }
    setBusy(false)
    if (tab === 'file') setEntries(after)
    else setPastedChecked(after)
    setImported(done)
    setImportedFiles(after.filter((entry) => entry.state === 'ready' && entry.include).length)
    setStep('result')
    if (done.length > 0) onImported()
  }

  const onDrop = (event: DragEvent) => {
    event.preventDefault()
    setDragging(false)
    void addFiles(event.dataTransfer.files)
  }

  const position = steps.findIndex((s) => s.id === step) + 1
  const previewKeys = current.filter((entry) => entry.state === 'ready').flatMap((entry) => entry.keys)
  const failed = current.filter((entry) => entry.state === 'failed')
  return (
    <Dialog title={t('import.title')} onClose={onClose} wide>
      <ol className="steps" aria-label={t('import.progress', { current: position, total: steps.length })}>
        {steps.map((s, index) => {
          // The password step counts as done only when a password was asked for; otherwise it was skipped.
          const skipped = s.id === 'passphrase' && index + 1 < position && !askedPassphrase
          const done = index + 1 < position && !skipped
          return (
            <li key={s.id} aria-current={s.id === step ? 'step' : undefined} className={done ? 'done' : skipped ? 'skipped' : undefined}>
              <span aria-hidden="true">{done ? '✓' : skipped ? '–' : index + 1}</span> {t(s.label)}
            </li>
          )
        })}
      </ol>
      <p className="step-count">{t('import.progress', { current: position, total: steps.length })}</p>

      {step === 'source' && (
        <>
          <div role="tablist" className="tabs">
            {(['file', 'text'] as const).map((id) => (
              <button key={id} type="button" role="tab" aria-selected={tab === id} id={`tab-${id}`} aria-controls={`panel-${id}`} onClick={() => setTab(id)}>
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
                {entries.length > 0 ? t('import.chosenCount', { count: entries.length }) : ''}
              </p>
              {entries.length > 0 && (
                <>
                  <h3 className="chosen-title" id="chosen-title">
                    {t('import.chosenCount', { count: entries.length })}
                  </h3>
                  <ul className="file-list" aria-labelledby="chosen-title">
                    {entries.map((entry) => (
                      <li key={entry.id}>
                        <span className="file-name">{entry.fileName}</span>
                        <button
                          type="button"
                          className="link"
                          aria-label={t('import.removeFile', { name: entry.fileName })}
                          onClick={() => setEntries((list) => list.filter((e) => e.id !== entry.id))}
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
              <p className="hint" id="import-text-hint">{t('import.textHint')}</p>
              <textarea id="import-text" aria-describedby="import-text-hint" rows={8} value={text} onChange={(event) => setText(event.target.value)} spellCheck={false} />
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
          <p>{t('import.passphraseIntroFiles')}</p>
          {current
            .filter((entry) => entry.state === 'needsPassphrase')
            .map((entry, index) => (
              <div key={entry.id} className="file-passphrase">
                <label htmlFor={`import-passphrase-${entry.id}`}>{t('import.passphraseFor', { name: label(entry) })}</label>
                <input
                  id={`import-passphrase-${entry.id}`}
                  type="password"
                  autoComplete="off"
                  value={entry.passphrase}
                  onChange={(event) => setPassphraseOf(entry, event.target.value)}
                  autoFocus={index === 0}
                />
                {entry.error && <ErrorNotice error={entry.error} />}
                {current.length > 1 && (
                  <button type="button" className="link" onClick={() => (tab === 'file' ? update(entry.id, { state: 'skipped', passphrase: '' }) : undefined)}>
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
          <p>{current.length > 1 ? t('import.previewIntroFiles', { count: current.length }) : t('import.previewIntro', { name: current[0] ? label(current[0]) : '' })}</p>
          {current.length > 1 ? null : previewKeys.some((key) => key.hasSecret) ? (
            <Notice tone="warning">
              {t('import.secretWarning')}
            </Notice>
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
              <section key={entry.id} className={current.length > 1 ? 'file-group' : undefined} aria-labelledby={current.length > 1 ? `file-${entry.id}` : undefined} data-file={entry.fileName}>
                {current.length > 1 && (
                  <h3 id={`file-${entry.id}`} className="file-group-title">
                    {entry.state === 'ready' ? (
                      <label>
                        <input type="checkbox" checked={entry.include} onChange={(event) => update(entry.id, { include: event.target.checked })} />{' '}
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
                  <Notice tone="warning">
                    {t('import.secretWarning')}
                  </Notice>
                )}
                {entry.state === 'ready' && <KeyCards keys={entry.keys} lang={lang} nested={current.length > 1} />}
              </section>
            ))}
          </div>
        </>
      )}

      {step === 'result' && (
        <>
          {imported.length > 0 && failed.length === 0 && (
            <Notice tone="ok">
              {t('import.success')}
            </Notice>
          )}
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
                <Fingerprint value={key.fingerprint} />
                {key.acceptance === 'unverified' ? (
                  <>
                    <p>{t('import.resultUnverified', { name: key.name })}</p>
                    <button type="button" className="primary" onClick={() => setVerifying(key)}>
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
            <button type="button" className="primary" disabled={chosen.length === 0 || busy} onClick={() => void startInspect()}>
              {t('common.continue')}
            </button>
          </>
        )}
        {step === 'passphrase' && (
          <>
            <button type="button" onClick={() => (setStep('source'), setError(null), setEntries((list) => list.map((e) => ({ ...e, state: 'new', error: null, passphrase: '' }))))} disabled={busy}>
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
            <button type="button" onClick={() => (setStep('source'), setError(null), setEntries((list) => list.map((e) => ({ ...e, state: 'new', error: null, passphrase: '' }))))} disabled={busy}>
              {t('common.back')}
            </button>
            <button type="button" className="primary" disabled={busy || toImport.length === 0} onClick={() => void runImport()}>
              {t('import.doImport')}
            </button>
          </>
        )}
        {step === 'result' && (
          <button type="button" onClick={onClose}>
            {imported.some((key) => key.acceptance === 'unverified') ? t('import.verifyLater') : t('common.close')}
          </button>
        )}
      </div>
      {verifying && (
        <VerifyDialog
          target={verifying}
          onClose={() => setVerifying(null)}
          onVerified={(key) => {
            setImported((keys) => keys.map((k) => (k.fingerprint === key.fingerprint ? key : k)))
            setVerifying(null)
            onImported()
          }}
        />
      )}
    </Dialog>
  )
}

/** What one file holds, as cards: name, technology, new or already there, dates, fingerprint and warnings. */
function KeyCards({ keys, lang, nested }: { keys: Preview[]; lang: 'de' | 'en'; nested: boolean }) {
  const { t } = useI18n()
  // Under a file's heading (several files) the cards are one level deeper.
  const Heading = nested ? 'h4' : 'h3'
  return (
    <ul className="cards">
      {keys.map((key) => (
        <li key={`${key.technology}:${key.fingerprint}`} className="card key-card">
          <Heading>
            {key.name} <span className="tag">{key.technology === 'openpgp' ? 'OpenPGP' : 'S/MIME'}</span>{' '}
            <span className="tag">{key.isNew ? t('import.isNew') : t('import.alreadyPresent')}</span>
          </Heading>
          <p>{key.emails.join(', ')}</p>
          <p>
            {t('keys.details.created')}: {formatDate(key.created, lang)} · {t('keys.details.expires')}:{' '}
            {key.expires ? formatDate(key.expires, lang) : t('keys.details.never')}
          </p>
          <Fingerprint value={key.fingerprint} />
          {key.missingIssuer !== null && <MissingIntermediate issuer={key.missingIssuer} />}
          {key.status === 'expired' && (
            <Notice tone="warning">
              {t('import.expiredWarning')}
            </Notice>
          )}
          {(key.status === 'revoked' || key.status === 'unusable') && (
            <Notice tone="warning" mark="✕">
              {t('import.unusableWarning')}
            </Notice>
          )}
        </li>
      ))}
    </ul>
  )
}

/** The chain of a certificate cannot be built: name what is missing and how to get it. */
export function MissingIntermediate({ issuer }: { issuer: string }) {
  const { t } = useI18n()
  return (
    <Notice tone="warning" title={t('import.missingIntermediate.title')} testId="missing-intermediate">
      <p>{t('import.missingIntermediate.text', { issuer })}</p>
    </Notice>
  )
}
