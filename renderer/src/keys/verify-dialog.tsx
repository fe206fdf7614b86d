import { useState } from 'react'
import type { KeySummary } from '../../../preload/contract'
import { Busy, Dialog, ErrorNotice, Notice } from '../components'
import { useI18n } from '../i18n'
import { useAction } from '../use-call'
import { Fingerprint } from './fingerprint'

/**
 * Fingerprint comparison over another channel (UI.md §1.2 B3): "verified" only on "Matches".
 * "Does not match" says what that means (the key is still used until it is deleted) and, where the
 * caller can delete keys, offers that as the next step.
 */
export function VerifyDialog({
  target,
  onClose,
  onVerified,
  onDelete,
}: {
  target: KeySummary
  onClose: () => void
  onVerified: (key: KeySummary) => void
  onDelete?: () => void
}) {
  const { t } = useI18n()
  const [differs, setDiffers] = useState(false)
  const { busy, error, run } = useAction()
  const email = target.emails[0] ?? target.name
  const confirm = async () => {
    const done = await run(() =>
      window.siegelpost.keysVerify({ id: target.fingerprint, fingerprint: target.fingerprint }),
    )
    if (done) onVerified(done.value)
  }
  return (
    <Dialog title={t('verify.title')} onClose={onClose}>
      <p>{t('verify.intro', { name: target.name, email })}</p>
      <Fingerprint value={target.fingerprint} large />
      <p>{t('verify.ways')}</p>
      <ul className="ways">
        <li>{t('verify.way.phone')}</li>
        <li>{t('verify.way.card')}</li>
        <li>{t('verify.way.meeting')}</li>
      </ul>
      {error && <ErrorNotice error={error} />}
      {busy && <Busy />}
      {differs ? (
        <>
          <Notice tone="warning" role="alert">
            {t('verify.differsNote', { email })}
          </Notice>
          <div className="actions">
            <button type="button" className="primary" onClick={onClose} autoFocus>
              {t('common.close')}
            </button>
            {onDelete && (
              <button type="button" className="danger" onClick={onDelete}>
                {t('verify.deleteKey')}
              </button>
            )}
          </div>
        </>
      ) : (
        <div className="actions">
          <button type="button" className="primary" onClick={confirm} disabled={busy}>
            {t('verify.matches')}
          </button>
          <button type="button" onClick={() => setDiffers(true)} disabled={busy}>
            {t('verify.differs')}
          </button>
          <button type="button" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
        </div>
      )}
    </Dialog>
  )
}
