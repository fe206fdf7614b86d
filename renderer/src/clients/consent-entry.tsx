import type { ConsentView } from '../../../preload/contract'
import { useI18n } from '../i18n'
import {
  channelBadge,
  channelKey,
  dateOnly,
  recordedAt,
  isExpired,
  transmittedKey,
  type ClientEntry,
} from './consent-text'

/** The consent that applies now: channel, who and when, expiry, the standing password and its handover. */
export function ConsentSummary({ consent }: { consent: ConsentView }) {
  const { lang, t } = useI18n()
  const expired = isExpired(consent, new Date())
  return (
    <>
      <p className="consent-channel">
        <span className={`badge channel-${consent.channel}`}>{channelBadge[consent.channel]}</span>{' '}
        <strong>{t(channelKey[consent.channel])}</strong>
        {expired && (
          <span className="badge badge-expired">
            <span aria-hidden="true">✕ </span>
            {t('clients.expired')}
          </span>
        )}
      </p>
      <dl>
        <dt>{t('clients.recorded')}</dt>
        <dd>{t('clients.recordedBy', { date: recordedAt(consent.date, lang), by: consent.by })}</dd>
        <dt>{t('clients.validUntil')}</dt>
        <dd>{consent.expires ? dateOnly(consent.expires, lang) : t('clients.noExpiry')}</dd>
        {consent.channel === 'container' && (
          <>
            <dt>{t('clients.standingPassword')}</dt>
            <dd data-testid="standing-password">{passwordText(consent, lang, t)}</dd>
          </>
        )}
        {consent.note && (
          <>
            <dt>{t('clients.note')}</dt>
            <dd>{consent.note}</dd>
          </>
        )}
      </dl>
    </>
  )
}

function passwordText(consent: ConsentView, lang: 'de' | 'en', t: ReturnType<typeof useI18n>['t']): string {
  if (!consent.hasPassword) return t('clients.password.none')
  if (!consent.transmitted) return t('clients.password.kept')
  const how = t(transmittedKey[consent.transmitted])
  return consent.transmittedOn
    ? t('clients.password.keptTransmittedOn', { how, date: dateOnly(consent.transmittedOn, lang) })
    : t('clients.password.keptTransmitted', { how })
}

/** Every entry of the client, newest first; superseded ones stay visible, marked as such. */
export function ConsentHistory({ entry }: { entry: ClientEntry }) {
  const { lang, t } = useI18n()
  if (entry.history.length < 2) return null
  return (
    <details className="consent-history">
      <summary>{t('clients.history', { count: entry.history.length })}</summary>
      <ol>
        {entry.history.map((c, index) => (
          <li key={`${c.date}-${index}`} className={c.current ? 'current' : 'superseded'}>
            <span className="history-date">{recordedAt(c.date, lang)}</span> {t(channelKey[c.channel])} ·{' '}
            {t('clients.history.by', { by: c.by })}
            {c.hasPassword ? ` · ${t('clients.history.password')}` : ''}
            {c.expires ? ` · ${t('clients.history.until', { date: dateOnly(c.expires, lang) })}` : ''}
            {c.note ? ` · ${c.note}` : ''}{' '}
            <span className="tag">{t(c.current ? 'clients.history.current' : 'clients.history.superseded')}</span>
          </li>
        ))}
      </ol>
    </details>
  )
}
