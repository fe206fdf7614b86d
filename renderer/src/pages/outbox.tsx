import { useState } from 'react'
import type { OutboxEntryView } from '../../../preload/contract'
import { Busy, ConfirmDialog, ErrorNotice, Notice, Page } from '../components'
import { useI18n, type MessageKey } from '../i18n'
import { useAction, useCall } from '../use-call'
import { ReasonText } from './accounts'
import { relaxableReasons, TlsExceptionDialog } from './tls-exception-dialog'

const stateText: Record<OutboxEntryView['state'], MessageKey> = {
  queued: 'outbox.state.queued',
  sending: 'outbox.state.sending',
  sent: 'outbox.state.sent',
  held: 'outbox.state.held',
}
const stateBadge: Record<OutboxEntryView['state'], string> = {
  queued: 'badge',
  sending: 'badge',
  sent: 'badge badge-valid',
  held: 'badge badge-expired',
}
const stateSymbol: Record<OutboxEntryView['state'], string> = { queued: '… ', sending: '↑ ', sent: '✓ ', held: '✕ ' }

function when(iso: string, lang: 'de' | 'en'): string {
  return new Date(iso).toLocaleString(lang === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' })
}

/** Verwerfen is final: the message is gone from the Outbox (nothing else keeps it). */
function DropDialog({
  entry,
  onClose,
  onDropped,
}: {
  entry: OutboxEntryView
  onClose: () => void
  onDropped: () => void
}) {
  const { t } = useI18n()
  return (
    <ConfirmDialog
      title={t('outbox.drop.title')}
      confirm={t('outbox.drop.confirm')}
      run={() => window.siegelpost.outboxDrop({ outboxId: entry.outboxId })}
      onClose={onClose}
      onDone={onDropped}
    >
      <p>
        <strong>{entry.subject || t('outbox.noSubject')}</strong> · {entry.recipients.join(', ')}
      </p>
      <Notice tone="warning">
        {t(entry.state === 'sent' ? 'outbox.drop.sentConsequence' : 'outbox.drop.consequence')}
      </Notice>
    </ConfirmDialog>
  )
}

function EntryCard({
  entry,
  onChanged,
  onDrop,
  onException,
}: {
  entry: OutboxEntryView
  onChanged: (message: string, tone?: 'ok' | 'warning') => void
  onDrop: () => void
  onException: () => void
}) {
  const { lang, t } = useI18n()
  const { busy, error, run } = useAction()
  const retry = async () => {
    const done = await run(() => window.siegelpost.outboxRetry({ outboxId: entry.outboxId }))
    // Held again is not a success: it reads as a warning, not with a green tick.
    if (done)
      onChanged(
        t(done.value.state === 'sent' ? 'outbox.retry.sent' : 'outbox.retry.held'),
        done.value.state === 'sent' ? 'ok' : 'warning',
      )
  }
  return (
    <li className="card outbox-entry" data-state={entry.state} data-testid={`outbox-${entry.outboxId}`}>
      <h3>{entry.subject || t('outbox.noSubject')}</h3>
      <p>
        <span className={stateBadge[entry.state]}>
          <span aria-hidden="true">{stateSymbol[entry.state]}</span>
          {t(stateText[entry.state])}
        </span>{' '}
        {t('outbox.updated', { date: when(entry.updated, lang) })}
      </p>
      <dl>
        <dt>{t('outbox.recipients')}</dt>
        <dd>{entry.recipients.join(', ')}</dd>
        <dt>{t('outbox.account')}</dt>
        <dd>{entry.account}</dd>
        <dt>{t('outbox.attempts')}</dt>
        <dd>{entry.attempts}</dd>
      </dl>
      {entry.reason && (
        <p className={entry.state === 'held' ? 'notice notice-error' : 'notice notice-warning'}>
          <ReasonText reason={entry.reason} />
        </p>
      )}
      {entry.sentCopy?.state === 'failed' && <Notice tone="warning">{t('outbox.sentCopyFailed')}</Notice>}
      {error && <ErrorNotice error={error} />}
      {busy && <Busy />}
      <div className="actions">
        {entry.state === 'held' && entry.reason && relaxableReasons.has(entry.reason.code) && (
          <button type="button" onClick={onException} disabled={busy}>
            {t('exception.open')}
          </button>
        )}
        {entry.state === 'held' && (
          <button type="button" className="primary" onClick={retry} disabled={busy}>
            {t('outbox.retry')}
          </button>
        )}
        {entry.state !== 'sending' && (
          <button type="button" onClick={onDrop} disabled={busy}>
            {t('outbox.drop')}
          </button>
        )}
      </div>
    </li>
  )
}

/** Postausgang: every mail from send until the user drops it; held ones say why and can be retried. */
export function OutboxPage() {
  const { t } = useI18n()
  const [entries, reload] = useCall(() => window.siegelpost.outboxList())
  const [dropping, setDropping] = useState<OutboxEntryView | null>(null)
  const [excepting, setExcepting] = useState<OutboxEntryView | null>(null)
  const [notice, setNotice] = useState<{ text: string; tone: 'ok' | 'warning' } | null>(null)
  const changed = (text: string, tone: 'ok' | 'warning' = 'ok') => (setNotice({ text, tone }), reload())
  return (
    <Page title={t('outbox.title')}>
      <p>{t('outbox.intro')}</p>
      <div className="toolbar">
        <button type="button" onClick={() => (setNotice(null), reload())}>
          {t('outbox.reload')}
        </button>
      </div>
      {notice && (
        <Notice tone={notice.tone} role="status">
          {notice.text}
        </Notice>
      )}
      {entries.state === 'loading' && <Busy />}
      {entries.state === 'failed' && <ErrorNotice error={entries.error} onRetry={reload} />}
      {entries.state === 'done' && entries.value.length === 0 && <p className="empty">{t('outbox.empty')}</p>}
      {entries.state === 'done' && entries.value.length > 0 && (
        <ul className="cards" aria-label={t('outbox.listLabel')}>
          {[...entries.value].reverse().map((entry) => (
            <EntryCard
              key={entry.outboxId}
              entry={entry}
              onChanged={changed}
              onDrop={() => setDropping(entry)}
              onException={() => setExcepting(entry)}
            />
          ))}
        </ul>
      )}
      {excepting && (
        <TlsExceptionDialog
          entry={excepting}
          onClose={() => setExcepting(null)}
          onSaved={(target) => {
            setExcepting(null)
            changed(t('exception.saved', { target }))
          }}
        />
      )}
      {dropping && (
        <DropDialog
          entry={dropping}
          onClose={() => setDropping(null)}
          onDropped={() => {
            setDropping(null)
            changed(t('outbox.dropped'))
          }}
        />
      )}
    </Page>
  )
}
