import { useState } from 'react'
import type { KeySummary, Result } from '../../../preload/contract'
import { Busy, Dialog, ErrorNotice, Notice, StepList } from '../components'
import { useI18n, type MessageKey } from '../i18n'
import { useAction } from '../use-call'
import { Fingerprint } from './fingerprint'

type Step = 'start' | 'code' | 'confirm' | 'done'
const steps: { id: Step; label: MessageKey }[] = [
  { id: 'start', label: 'backup.step.start' },
  { id: 'code', label: 'backup.step.code' },
  { id: 'confirm', label: 'backup.step.confirm' },
  { id: 'done', label: 'backup.step.done' },
]

/**
 * Private-key backup (UI.md §1.4): the recovery code is shown once, then typed back before the
 * file is written. After the "code" step the code is gone from this component's state.
 */
export function BackupDialog({ target, onClose }: { target: KeySummary; onClose: (completed: boolean) => void }) {
  const { lang, t } = useI18n()
  const [step, setStep] = useState<Step>('start')
  const [session, setSession] = useState<{ backupId: string; recoveryCode: string | null; fileName: string } | null>(
    null,
  )
  const [typed, setTyped] = useState('')
  const [note, setNote] = useState<string | null>(null)
  const { busy, error, run: start } = useAction()

  const close = () => {
    if (session && step !== 'done') void window.siegelpost.keysBackupCancel({ backupId: session.backupId })
    onClose(step === 'done')
  }
  const run = async <T,>(call: () => Promise<Result<T>>, then: (value: T) => void) => {
    const done = await start(call)
    if (done) then(done.value)
  }

  return (
    <Dialog title={t('backup.title')} onClose={close} wide>
      <StepList steps={steps} current={step} />
      <p>
        <strong>{target.name}</strong> · {target.emails.join(', ')}
      </p>

      {step === 'start' && (
        <>
          <p>{t('backup.intro')}</p>
          <p>{t('backup.howItWorks')}</p>
        </>
      )}
      {step === 'code' && session?.recoveryCode && (
        <>
          <p id="code-label">{t('backup.codeLabel')}</p>
          <p className="recovery-code" aria-labelledby="code-label" data-testid="recovery-code">
            {session.recoveryCode}
          </p>
          <Notice tone="warning">{t('backup.codeNote')}</Notice>
          <button
            type="button"
            onClick={() =>
              void run(
                () => window.siegelpost.keysBackupSheet({ backupId: session.backupId, lang }),
                (saved) =>
                  setNote(saved.saved ? t('backup.sheetSaved', { name: saved.fileName }) : t('backup.cancelled')),
              )
            }
          >
            {t('backup.saveSheet')}
          </button>
          {note && <Notice tone="ok">{note}</Notice>}
        </>
      )}
      {step === 'confirm' && (
        <form onSubmit={(event) => event.preventDefault()}>
          <p>{t('backup.confirmIntro')}</p>
          <label htmlFor="backup-code">{t('backup.confirmLabel')}</label>
          <input
            id="backup-code"
            type="text"
            className="code-input"
            autoComplete="off"
            spellCheck={false}
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            autoFocus
          />
        </form>
      )}
      {step === 'done' && (
        <>
          <Notice tone="ok">{note}</Notice>
          <p>{t('backup.keepApart')}</p>
          <Fingerprint value={target.fingerprint} caption />
        </>
      )}

      {error && <ErrorNotice error={error} />}
      {busy && <Busy />}
      <div className="actions">
        {step !== 'done' && (
          <button type="button" onClick={close} disabled={busy}>
            {t('common.cancel')}
          </button>
        )}
        {step === 'start' && (
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() =>
              void run(
                () => window.siegelpost.keysBackupStart({ id: target.fingerprint }),
                (value) => (setSession(value), setStep('code')),
              )
            }
          >
            {t('backup.makeCode')}
          </button>
        )}
        {step === 'code' && (
          <button
            type="button"
            className="primary"
            onClick={() => {
              // From here on the code exists only on the user's note (and the printed sheet).
              setSession((current) => current && { ...current, recoveryCode: null })
              setNote(null)
              setStep('confirm')
            }}
          >
            {t('backup.writtenDown')}
          </button>
        )}
        {step === 'confirm' && session && (
          <button
            type="button"
            className="primary"
            disabled={busy || typed.trim() === ''}
            onClick={() =>
              void run(
                () => window.siegelpost.keysBackupSave({ backupId: session.backupId, recoveryCode: typed }),
                (saved) => {
                  setTyped('')
                  if (!saved.saved) return setNote(t('backup.cancelled'))
                  setNote(t('backup.done', { name: saved.fileName }))
                  setStep('done')
                },
              )
            }
          >
            {t('backup.save')}
          </button>
        )}
        {step === 'done' && (
          <button type="button" className="primary" onClick={() => onClose(true)}>
            {t('common.close')}
          </button>
        )}
      </div>
    </Dialog>
  )
}
