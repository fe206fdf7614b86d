import { useState, type FormEvent } from 'react'
import type { OutboxEntryView } from '../../../preload/contract'
import { ActionFooter, Dialog, Notice } from '../components'
import { useI18n } from '../i18n'
import { useAction } from '../use-call'

/**
 * Held reasons a TLS exception (whitelist entry) can lift: they concern the recipient side only.
 * The TLS of our own connection to the submission server is never relaxable, and neither is an e2e rule.
 */
export const relaxableReasons = new Set([
  'SMTP_REQUIRETLS_UNSUPPORTED',
  'POLICY_REQUIRETLS_RULE',
  'POLICY_DOMAIN_NOT_TLS',
])

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase()

/** Whitelist a recipient (address or whole domain) with a reason, who decided, and an optional end date. */
export function TlsExceptionDialog({
  entry,
  onClose,
  onSaved,
}: {
  entry: OutboxEntryView
  onClose: () => void
  onSaved: (target: string) => void
}) {
  const { t } = useI18n()
  const targets = [...new Set(entry.recipients.flatMap((r) => [r.toLowerCase(), domainOf(r)]))]
  const [target, setTarget] = useState(targets[0] ?? '')
  const [reason, setReason] = useState('')
  const [by, setBy] = useState('')
  const [expires, setExpires] = useState('')
  const { busy, error, run } = useAction()
  const save = async (event: FormEvent) => {
    event.preventDefault()
    const done = await run(() =>
      window.siegelpost.policyTlsException({
        target,
        reason: reason.trim(),
        by: by.trim(),
        ...(expires ? { expires } : {}),
      }),
    )
    if (done) onSaved(target)
  }
  return (
    <Dialog title={t('exception.title')} onClose={onClose}>
      <form className="exception-form" onSubmit={save}>
        <Notice tone="warning">{t('exception.explain')}</Notice>
        <fieldset>
          <legend>{t('exception.target')}</legend>
          {targets.map((value) => (
            <label key={value} className="choice">
              <input
                type="radio"
                name="target"
                value={value}
                checked={target === value}
                onChange={() => setTarget(value)}
              />
              {value.includes('@') ? t('exception.target.address', { value }) : t('exception.target.domain', { value })}
            </label>
          ))}
        </fieldset>
        <label className="field">
          <span>{t('exception.reason')}</span>
          <textarea
            name="reason"
            required
            maxLength={1000}
            rows={3}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </label>
        <label className="field">
          <span>{t('exception.by')}</span>
          <input name="by" required maxLength={200} value={by} onChange={(e) => setBy(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('exception.expires')}</span>
          <input name="expires" type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
        </label>
        <ActionFooter error={error} busy={busy} onCancel={onClose} action={t('exception.save')} />
      </form>
    </Dialog>
  )
}
