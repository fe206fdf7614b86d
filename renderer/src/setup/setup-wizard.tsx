import { useState } from 'react'
import type { KeySummary } from '../../../preload/contract'
import { Busy, Dialog, ErrorNotice, Notice } from '../components'
import { useI18n, type MessageKey } from '../i18n'
import { BackupDialog } from '../keys/backup-dialog'
import { Fingerprint } from '../keys/fingerprint'
import { ImportWizard } from '../keys/import-wizard'
import { useAction } from '../use-call'

type Step = 'choose' | 'later' | 'generate' | 'backup' | 'no-backup' | 'share' | 'done'
type Choice = 'importCert' | 'create' | 'importPgp'
const choices: { id: Choice; label: MessageKey; hint: MessageKey }[] = [
  { id: 'create', label: 'setup.choice.create', hint: 'setup.choice.createHint' },
  { id: 'importCert', label: 'setup.choice.importCert', hint: 'setup.choice.importCertHint' },
  { id: 'importPgp', label: 'setup.choice.importPgp', hint: 'setup.choice.importPgpHint' },
]

/** First-start setup (UI.md §1.1): choose → create or import → backup → share → done; "later" states the consequence. */
export function SetupWizard({ onClose, onLater }: { onClose: () => void; onLater: () => void }) {
  const { t } = useI18n()
  const [step, setStep] = useState<Step>('choose')
  const [choice, setChoice] = useState<Choice>('create')
  const [importing, setImporting] = useState(false)
  const [backingUp, setBackingUp] = useState(false)
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [algo, setAlgo] = useState<'curve25519' | 'rsa4096'>('curve25519')
  const [years, setYears] = useState(3)
  const [created, setCreated] = useState<KeySummary | null>(null)
  const [done, setDone] = useState({ key: false, backup: false, share: false })
  const { busy, error, run } = useAction()

  const generate = async () => {
    const result = await run(() =>
      window.siegelpost.keysGenerate({ name: name.trim(), email: email.trim(), algo, expiresInYears: years }),
    )
    if (!result) return
    setCreated(result.value)
    setDone((d) => ({ ...d, key: true }))
    setStep('backup')
  }
  const share = async () => {
    if (!created) return
    const result = await run(() => window.siegelpost.keysExportPublic({ id: created.fingerprint }))
    if (result?.value.saved) {
      setDone((d) => ({ ...d, share: true }))
      setStep('done')
    }
  }

  const title: Record<Step, MessageKey> = {
    choose: 'setup.title',
    later: 'setup.laterTitle',
    generate: 'setup.generateTitle',
    backup: 'setup.backupTitle',
    'no-backup': 'setup.backupTitle',
    share: 'setup.shareTitle',
    done: 'setup.doneTitle',
  }
  return (
    <Dialog title={t(title[step])} onClose={step === 'choose' ? () => setStep('later') : onClose} wide>
      {step === 'choose' && (
        <>
          <p>{t('setup.intro')}</p>
          <p className="hint">{t('setup.privatePublic')}</p>
          <fieldset className="choices">
            <legend>{t('setup.how')}</legend>
            {choices.map((c) => (
              <label key={c.id} className={choice === c.id ? 'choice-card selected' : 'choice-card'}>
                <input
                  type="radio"
                  name="setup-choice"
                  value={c.id}
                  checked={choice === c.id}
                  onChange={() => setChoice(c.id)}
                />
                <span>
                  <strong>{t(c.label)}</strong>
                  <span className="hint">{t(c.hint)}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <Notice tone="warning">{t('setup.existingWarning')}</Notice>
          <div className="actions">
            <button type="button" className="link" onClick={() => setStep('later')}>
              {t('setup.later')}
            </button>
            <button
              type="button"
              className="primary"
              onClick={() => (choice === 'create' ? setStep('generate') : setImporting(true))}
            >
              {t('common.continue')}
            </button>
          </div>
        </>
      )}

      {step === 'later' && (
        <>
          <p>{t('setup.laterConsequence')}</p>
          <div className="actions">
            <button type="button" onClick={() => setStep('choose')}>
              {t('common.back')}
            </button>
            <button type="button" className="primary" onClick={onLater}>
              {t('setup.laterConfirm')}
            </button>
          </div>
        </>
      )}

      {step === 'generate' && (
        <form
          onSubmit={(event) => {
            event.preventDefault()
            void generate()
          }}
        >
          <label htmlFor="setup-name">{t('setup.name')}</label>
          <input
            id="setup-name"
            type="text"
            autoComplete="name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            autoFocus
          />
          <label htmlFor="setup-email">{t('setup.email')}</label>
          <input
            id="setup-email"
            type="email"
            autoComplete="email"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
          <p className="hint">{t('setup.protected')}</p>
          <details>
            <summary>{t('setup.advanced')}</summary>
            <label htmlFor="setup-expiry">{t('setup.expiry')}</label>
            <select id="setup-expiry" value={years} onChange={(event) => setYears(Number(event.target.value))}>
              {[1, 2, 3, 5].map((y) => (
                <option key={y} value={y}>
                  {t('setup.expiryYears', { years: y })}
                </option>
              ))}
              <option value={0}>{t('setup.expiryNever')}</option>
            </select>
            <label htmlFor="setup-algo">{t('setup.algo')}</label>
            <select id="setup-algo" value={algo} onChange={(event) => setAlgo(event.target.value as typeof algo)}>
              <option value="curve25519">{t('setup.algo.curve25519')}</option>
              <option value="rsa4096">{t('setup.algo.rsa4096')}</option>
            </select>
          </details>
          {busy && <Busy text={t('setup.generating')} />}
          {error && <ErrorNotice error={error} />}
          <div className="actions">
            <button type="button" onClick={() => setStep('choose')} disabled={busy}>
              {t('common.back')}
            </button>
            <button
              type="submit"
              className="primary"
              disabled={busy || !name.trim() || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())}
            >
              {t('setup.create')}
            </button>
          </div>
        </form>
      )}

      {step === 'backup' && created && (
        <>
          <Notice tone="ok">{t('setup.created')}</Notice>
          <Fingerprint value={created.fingerprint} caption />
          <p>{t('setup.backupWhy')}</p>
          <div className="actions">
            <button type="button" onClick={() => setStep('no-backup')}>
              {t('setup.noBackup')}
            </button>
            <button type="button" className="primary" onClick={() => setBackingUp(true)}>
              {t('setup.backupNow')}
            </button>
          </div>
        </>
      )}

      {step === 'no-backup' && (
        <>
          <Notice tone="warning">{t('setup.noBackupConsequence')}</Notice>
          <div className="actions">
            <button type="button" onClick={() => setStep('backup')}>
              {t('common.back')}
            </button>
            <button type="button" className="danger" onClick={() => setStep('share')}>
              {t('setup.noBackupConfirm')}
            </button>
          </div>
        </>
      )}

      {step === 'share' && (
        <>
          <p>{t('setup.shareWhy')}</p>
          {error && <ErrorNotice error={error} />}
          <div className="actions">
            <button type="button" onClick={() => setStep('done')}>
              {t('setup.skip')}
            </button>
            <button type="button" className="primary" onClick={() => void share()}>
              {t('setup.share')}
            </button>
          </div>
        </>
      )}

      {step === 'done' && (
        <>
          <ul className="checklist">
            {(['key', 'backup', 'share'] as const).map((item) => (
              <li key={item} className={done[item] ? 'checked' : undefined}>
                <span aria-hidden="true">{done[item] ? '✓' : '○'}</span> {t(`setup.check.${item}`)}
                {!done[item] && <span className="hint"> – {t('setup.check.open')}</span>}
              </li>
            ))}
          </ul>
          <div className="actions">
            <button type="button" className="primary" onClick={onClose}>
              {t('setup.finish')}
            </button>
          </div>
        </>
      )}
      {busy && step !== 'generate' && <Busy />}

      {importing && (
        <ImportWizard
          onClose={() => setImporting(false)}
          onImported={() => {
            setDone((d) => ({ ...d, key: true }))
            setStep('done')
          }}
        />
      )}
      {backingUp && created && (
        <BackupDialog
          target={created}
          onClose={(completed) => {
            setBackingUp(false)
            if (!completed) return
            setDone((d) => ({ ...d, backup: true }))
            setStep('share')
          }}
        />
      )}
    </Dialog>
  )
}
