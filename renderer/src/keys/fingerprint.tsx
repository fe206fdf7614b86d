import { useI18n } from '../i18n'
import { groupFingerprint } from './key-state'

/**
 * The fingerprint large, in groups of four on two lines, read to screen readers group by group.
 * `caption` names it on screen too, where no label beside it says what the hex block is.
 */
export function Fingerprint({ value, large, caption }: { value: string; large?: boolean; caption?: boolean }) {
  const { t } = useI18n()
  const groups = groupFingerprint(value).split(' ')
  const half = Math.ceil(groups.length / 2)
  return (
    <div className={large ? 'fingerprint fingerprint-large' : 'fingerprint'}>
      {caption && (
        <span className="fingerprint-caption" aria-hidden="true">
          {t('fingerprint.label')}
        </span>
      )}
      <span className="visually-hidden">{`${t('fingerprint.label')}: ${groups.join(' ')}`}</span>
      <span aria-hidden="true">{groups.slice(0, half).join(' ')}</span>
      <span aria-hidden="true">{groups.slice(half).join(' ')}</span>
    </div>
  )
}
