import { useState } from 'react'
import type { KeySummary, WireError } from '../../../preload/contract'
import { Busy, Dialog, ErrorNotice, Notice } from '../components'
import { useI18n } from '../i18n'
import { Fingerprint } from './fingerprint'

/** Delete with a confirmation that says what will stop working. */
export function DeleteDialog({ target, onClose, onDeleted }: { target: KeySummary; onClose: () => void; onDeleted: () => void }) {
  const { t } = useI18n()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<WireError | null>(null)
  const remove = async () => {
    setBusy(true)
    const result = await window.siegelpost.keysDelete({ id: target.fingerprint })
    if (result.ok) onDeleted()
    else {
      setError(result.error)
      setBusy(false)
    }
  }
  return (
    <Dialog title={t('delete.title')} onClose={onClose}>
      <p>
        <strong>{target.name}</strong> · {target.emails.join(', ')}
      </p>
      <Fingerprint value={target.fingerprint} />
      <Notice tone="warning">
        {target.hasSecret ? t('delete.ownConsequence') : t('delete.otherConsequence', { name: target.name })}
      </Notice>
      {error && <ErrorNotice error={error} />}
      {busy && <Busy />}
      <div className="actions">
        <button type="button" onClick={onClose} disabled={busy} autoFocus>
          {t('common.cancel')}
        </button>
        <button type="button" className="danger" onClick={remove} disabled={busy}>
          {t('delete.confirm')}
        </button>
      </div>
    </Dialog>
  )
}
