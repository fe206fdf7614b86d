import type { KeySummary } from '../../../preload/contract'
import { ConfirmDialog, Notice } from '../components'
import { useI18n } from '../i18n'
import { Fingerprint } from './fingerprint'

/** Delete with a confirmation that says what will stop working. */
export function DeleteDialog({
  target,
  onClose,
  onDeleted,
}: {
  target: KeySummary
  onClose: () => void
  onDeleted: () => void
}) {
  const { t } = useI18n()
  return (
    <ConfirmDialog
      title={t('delete.title')}
      confirm={t('delete.confirm')}
      run={() => window.siegelpost.keysDelete({ id: target.fingerprint })}
      onClose={onClose}
      onDone={onDeleted}
    >
      <p>
        <strong>{target.name}</strong> · {target.emails.join(', ')}
      </p>
      <Fingerprint value={target.fingerprint} caption />
      <Notice tone="warning">
        {target.hasSecret ? t('delete.ownConsequence') : t('delete.otherConsequence', { name: target.name })}
      </Notice>
    </ConfirmDialog>
  )
}
