import type { DraftSummary } from '../../../preload/contract'
import { ErrorNotice, Notice, Page } from '../components'
import { useI18n } from '../i18n'
import { formatDate } from '../keys/key-state'
import { useCall } from '../use-call'

/** "2,4 KB" / "2.4 KB": attachment sizes as a mail program shows them. */
export function formatSize(bytes: number, lang: 'de' | 'en'): string {
  const locale = lang === 'de' ? 'de-DE' : 'en-GB'
  if (bytes < 1024) return `${new Intl.NumberFormat(locale).format(bytes)} B`
  const kib = bytes / 1024
  if (kib < 1024) return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(kib)} KB`
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(kib / 1024)} MB`
}

function DraftView({ draft }: { draft: DraftSummary }) {
  const { lang, t } = useI18n()
  return (
    <article className="draft" aria-labelledby={`draft-${draft.id}`} data-testid="draft">
      <dl className="draft-head">
        <dt>{t('compose.to')}</dt>
        <dd>{draft.to.length > 0 ? draft.to.join(', ') : <span className="muted">{t('compose.noRecipient')}</span>}</dd>
        <dt>{t('compose.subject')}</dt>
        <dd id={`draft-${draft.id}`} className="draft-subject">
          {draft.subject}
        </dd>
        <dt>{t('compose.created')}</dt>
        <dd>{formatDate(draft.createdAt, lang)}</dd>
      </dl>
      {draft.attachments.length > 0 && (
        <ul className="attachments" aria-label={t('compose.attachments')}>
          {draft.attachments.map((attachment) => (
            <li key={attachment.fileName} className="attachment-chip" data-testid="attachment">
              <svg className="attachment-icon" aria-hidden="true" width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
                <path d="M21.4 11.1l-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5" />
              </svg>
              <span className="attachment-name">{attachment.fileName}</span>
              <span className="visually-hidden">, </span>
              <span className="attachment-size">{formatSize(attachment.size, lang)}</span>
            </li>
          ))}
        </ul>
      )}
      <div className="draft-body" aria-label={t('compose.body')} role="document">
        {draft.body}
      </div>
    </article>
  )
}

/** Compose: the drafts in the profile, newest first (sending comes with the composer). */
export function ComposePage() {
  const { t } = useI18n()
  const [drafts, reload] = useCall(() => window.siegelpost.draftsList())
  return (
    <Page title={t('compose.title')}>
      <Notice tone="info">
        {t('compose.notYet')}
      </Notice>
      {drafts.state === 'failed' && <ErrorNotice error={drafts.error} onRetry={reload} />}
      {drafts.state === 'done' && drafts.value.length === 0 && <p className="empty">{t('compose.noDrafts')}</p>}
      {drafts.state === 'done' && drafts.value.length > 0 && (
        <>
          <h2>{t('compose.drafts', { count: drafts.value.length })}</h2>
          {drafts.value.map((draft) => (
            <DraftView key={draft.id} draft={draft} />
          ))}
        </>
      )}
    </Page>
  )
}
