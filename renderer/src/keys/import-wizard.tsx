import { useState, type DragEvent } from 'react'
import type { KeyFileRequest, KeySummary, WireError } from '../../../preload/contract'
import { Busy, Dialog, ErrorNotice } from '../components'
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

/** Import wizard (UI.md §1.2): file or pasted text → password only if needed → preview → result. */
export function ImportWizard({ onClose, onImported }: { onClose: () => void; onImported: () => void }) {
  const { lang, t } = useI18n()
  const [step, setStep] = useState<Step>('source')
  const [tab, setTab] = useState<'file' | 'text'>('file')
  const [file, setFile] = useState<Source | null>(null)
  const [text, setText] = useState('')
  const [passphrase, setPassphrase] = useState('')
  const [preview, setPreview] = useState<(KeySummary & { isNew: boolean })[]>([])
  const [imported, setImported] = useState<KeySummary[]>([])
  const [verifying, setVerifying] = useState<KeySummary | null>(null)
  const [error, setError] = useState<WireError | null>(null)
  const [busy, setBusy] = useState(false)
  const [dragging, setDragging] = useState(false)
  const [askedPassphrase, setAskedPassphrase] = useState(false)

  const source: Source | null =
    tab === 'file' ? file : text.trim() ? { fileName: 'pasted.txt', data: toBase64(new TextEncoder().encode(text)), pasted: true } : null
  const request = (withPassphrase: boolean): KeyFileRequest => ({
    ...source!,
    ...(withPassphrase && passphrase ? { passphrase } : {}),
  })

  const readFile = async (chosen: File | undefined) => {
    if (!chosen) return
    setError(null)
    setFile({ fileName: chosen.name, data: toBase64(new Uint8Array(await chosen.arrayBuffer())) })
  }

  const inspect = async (withPassphrase: boolean) => {
    setBusy(true)
    setError(null)
    const result = await window.siegelpost.keysInspect(request(withPassphrase))
    setBusy(false)
    if (result.ok) {
      setPreview(result.value)
      setStep('preview')
    } else if (needsPassphrase.has(result.error.code)) {
      setAskedPassphrase(true)
      setStep('passphrase')
    } else {
      setError(result.error)
    }
  }

  const runImport = async () => {
    setBusy(true)
    setError(null)
    const result = await window.siegelpost.keysImport(request(step === 'preview' && passphrase !== ''))
    setBusy(false)
    if (!result.ok) return setError(result.error)
    setPassphrase('')
    setImported(result.value)
    setStep('result')
    onImported()
  }

  const onDrop = (event: DragEvent) => {
    event.preventDefault()
    setDragging(false)
    void readFile(event.dataTransfer.files[0])
  }

  const position = steps.findIndex((s) => s.id === step) + 1
  const name = source?.pasted ? t('import.tab.text') : (source?.fileName ?? '')
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
              <p>{t('import.fileHint')}</p>
              <div
                className={dragging ? 'dropzone dropzone-active' : 'dropzone'}
                onDragOver={(event) => (event.preventDefault(), setDragging(true))}
                onDragLeave={() => setDragging(false)}
                onDrop={onDrop}
              >
                <label className="file-label">
                  {t('import.chooseFile')}
                  <input type="file" accept=".p12,.pfx,.pem,.crt,.cer,.der,.p7b,.p7c,.asc,.gpg,.pgp,.key" onChange={(event) => void readFile(event.target.files?.[0])} />
                </label>
                <span className="dropzone-hint">{t('import.dropHere')}</span>
                {file && <p className="chosen">{t('import.chosen', { name: file.fileName })}</p>}
              </div>
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
            void inspect(true)
          }}
        >
          <p>{t('import.passphraseIntro', { name })}</p>
          <label htmlFor="import-passphrase">{t('import.passphraseLabel')}</label>
          <input id="import-passphrase" type="password" autoComplete="off" value={passphrase} onChange={(event) => setPassphrase(event.target.value)} autoFocus />
        </form>
      )}

      {step === 'preview' && (
        <>
          <p>{t('import.previewIntro', { name })}</p>
          {preview.some((key) => key.hasSecret) ? (
            <p className="notice notice-warning">
              <span aria-hidden="true">⚠ </span>
              {t('import.secretWarning')}
            </p>
          ) : (
            <p className="notice notice-info" data-testid="no-secret">
              <span aria-hidden="true">ℹ </span>
              {t('import.noSecret')}
            </p>
          )}
          <ul className="cards">
            {preview.map((key) => (
              <li key={`${key.technology}:${key.fingerprint}`} className="card key-card">
                <h3>
                  {key.name} <span className="tag">{key.technology === 'openpgp' ? 'OpenPGP' : 'S/MIME'}</span>{' '}
                  <span className="tag">{key.isNew ? t('import.isNew') : t('import.alreadyPresent')}</span>
                </h3>
                <p>{key.emails.join(', ')}</p>
                <p>
                  {t('keys.details.created')}: {formatDate(key.created, lang)} · {t('keys.details.expires')}:{' '}
                  {key.expires ? formatDate(key.expires, lang) : t('keys.details.never')}
                </p>
                <Fingerprint value={key.fingerprint} />
                {key.status === 'expired' && (
                  <p className="notice notice-warning">
                    <span aria-hidden="true">⚠ </span>
                    {t('import.expiredWarning')}
                  </p>
                )}
                {(key.status === 'revoked' || key.status === 'unusable') && (
                  <p className="notice notice-warning">
                    <span aria-hidden="true">✕ </span>
                    {t('import.unusableWarning')}
                  </p>
                )}
              </li>
            ))}
          </ul>
        </>
      )}

      {step === 'result' && (
        <>
          <p className="notice notice-ok" role="status">
            <span aria-hidden="true">✓ </span>
            {t('import.success')}
          </p>
          <ul className="cards">
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
            <button type="button" className="primary" disabled={!source || busy} onClick={() => void inspect(false)}>
              {t('common.continue')}
            </button>
          </>
        )}
        {step === 'passphrase' && (
          <>
            <button type="button" onClick={() => (setStep('source'), setError(null))} disabled={busy}>
              {t('common.back')}
            </button>
            <button type="button" className="primary" disabled={!passphrase || busy} onClick={() => void inspect(true)}>
              {t('common.continue')}
            </button>
          </>
        )}
        {step === 'preview' && (
          <>
            <button type="button" onClick={() => (setStep('source'), setError(null))} disabled={busy}>
              {t('common.back')}
            </button>
            <button type="button" className="primary" disabled={busy} onClick={() => void runImport()}>
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
