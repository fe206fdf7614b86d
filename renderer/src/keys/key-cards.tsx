import { Notice } from '../components'
import { useI18n } from '../i18n'
import { Fingerprint } from './fingerprint'
import type { Preview } from './import-state'
import { formatDate } from './key-state'

/** What one file holds, as cards: name, technology, new or already there, dates, fingerprint and warnings. */
export function KeyCards({ keys, lang, nested }: { keys: Preview[]; lang: 'de' | 'en'; nested: boolean }) {
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
          <Fingerprint value={key.fingerprint} caption />
          {key.missingIssuer !== null && <MissingIntermediate issuer={key.missingIssuer} />}
          {key.status === 'expired' && <Notice tone="warning">{t('import.expiredWarning')}</Notice>}
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
