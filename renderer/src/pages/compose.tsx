import type { DraftSummary } from '../../../preload/contract'
import { useState } from 'react'
import { Composer, currentDraftKey } from '../compose/composer'
import { ErrorNotice, Page } from '../components'
import { useI18n } from '../i18n'
import { formatDate } from '../keys/key-state'
import { useAction, useCall } from '../use-call'

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
        {draft.cc.length > 0 && (
          <>
            <dt>{t('compose.cc')}</dt>
            <dd>{draft.cc.join(', ')}</dd>
          </>
        )}
        <dt>{t('compose.subject')}</dt>
        <dd id={`draft-${draft.id}`} className="draft-subject">
          {draft.subject || <span className="muted">{t('compose.noSubject')}</span>}
        </dd>
        <dt>{t('compose.changed')}</dt>
        <dd>{formatDate(draft.updatedAt, lang)}</dd>
      </dl>
      {draft.attachments.length > 0 && (
        <ul className="attachments" aria-label={t('compose.attachments')}>
          {draft.attachments.map((attachment) => (
            <li key={attachment.id} className="attachment-chip" data-testid="attachment">
              <svg
                className="attachment-icon"
                aria-hidden="true"
                width="16"
                height="16"
                viewBox="0 0 24 24"
                fill="none"
                stroke="currentColor"
                strokeWidth="2"
                strokeLinecap="round"
                strokeLinejoin="round"
              >
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

/** Compose: the composer, and the drafts in the profile (newest first) to open or delete. */
export function ComposePage() {
  const { t } = useI18n()
  const [drafts, reload] = useCall(() => window.siegelpost.draftsList())
  const [open, setOpen] = useState<{ id: string | null; round: number }>({ id: null, round: 0 })
  const { error, run } = useAction()
  const remove = async (id: string) => {
    if (!(await run(() => window.siegelpost.draftsDelete({ id })))) return
    if (window.localStorage.getItem(currentDraftKey) === id) {
      window.localStorage.removeItem(currentDraftKey)
      setOpen((o) => ({ id: null, round: o.round + 1 }))
    }
    reload()
  }
  return (
    <Page title={t('compose.title')}>
      <Composer key={`${open.id ?? 'current'}-${open.round}`} openId={open.id} onSaved={reload} />
      {drafts.state === 'failed' && <ErrorNotice error={drafts.error} onRetry={reload} />}
      {error && <ErrorNotice error={error} />}
      {drafts.state === 'done' && drafts.value.length > 0 && (
        <section aria-labelledby="drafts-title" className="drafts">
          <h2 id="drafts-title">{t('compose.drafts', { count: drafts.value.length })}</h2>
          {drafts.value.map((draft) => (
            <div key={draft.id} className="draft-item">
              <DraftView draft={draft} />
              <div className="actions">
                <button
                  type="button"
                  onClick={() => setOpen((o) => ({ id: draft.id, round: o.round + 1 }))}
                  aria-label={t('compose.openDraftNamed', { subject: draft.subject || t('compose.noSubject') })}
                >
                  {t('compose.openDraft')}
                </button>
                <button
                  type="button"
                  className="danger"
                  onClick={() => void remove(draft.id)}
                  aria-label={t('compose.deleteDraftNamed', { subject: draft.subject || t('compose.noSubject') })}
                >
                  {t('compose.deleteDraft')}
                </button>
              </div>
            </div>
          ))}
        </section>
      )}
    </Page>
  )
}
