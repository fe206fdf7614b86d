import type { ComposePlanView, ComposeSendView, RecipientPlanView } from '../../../preload/contract'
import { Dialog, Notice } from '../components'
import { useI18n, type MessageKey } from '../i18n'
import { sendKindOf, summaryKey, summaryLine, type SendKind } from './chip-state'
import { GeneratedPasswords } from './password-shown'

const buttonKey: Record<SendKind, MessageKey> = {
  empty: 'send.button.empty',
  blocked: 'send.button.blocked',
  encrypted: 'send.button.encrypted',
  mixed: 'send.button.mixed',
  tls: 'send.button.tls',
  container: 'send.button.container',
}

/**
 * The line above the send button and the button itself (UI.md §3.2): how many recipients get what,
 * how many separate messages go out, and a button that says what will happen — disabled, naming the
 * recipients, while any of them has no secure way.
 */
export function SendPanel({
  plan,
  checking,
  downgraded,
  busy,
  onSend,
}: {
  plan: ComposePlanView | null
  checking: boolean
  downgraded: RecipientPlanView[]
  busy: boolean
  onSend: () => void
}) {
  const { t } = useI18n()
  const kind = sendKindOf(plan)
  const blocked = plan?.recipients.filter((r) => r.protection === 'blocked') ?? []
  return (
    <>
      {blocked.length > 0 && (
        <Notice tone="error" mark="✕" testId="blocked-notice" role="status">
          {t('send.blockedHint', { count: blocked.length, addresses: blocked.map((r) => r.address).join(', ') })}
        </Notice>
      )}
      {downgraded.length > 0 && (
        <Notice tone="warning" testId="downgrade-notice" role="status">
          {t('send.downgrade', { addresses: downgraded.map((r) => r.address).join(', ') })}
        </Notice>
      )}
      <section className="send-panel" aria-labelledby="send-summary">
        <button
          type="button"
          className="primary send-button"
          data-testid="send"
          data-kind={kind}
          disabled={kind === 'empty' || kind === 'blocked' || checking || busy}
          onClick={onSend}
          aria-describedby="send-summary"
        >
          {t(buttonKey[kind])}
        </button>
        <p id="send-summary" className="send-summary" data-testid="summary" aria-live="polite">
          {plan && plan.recipients.length > 0 ? summaryLine(plan, t) : t('summary.none')}
          {plan && plan.messages > 1 && kind !== 'blocked' && (
            <span className="muted"> · {t('summary.messages', { count: plan.messages })}</span>
          )}
          {checking && <span className="muted"> · {t('chip.tip.checking')}</span>}
          {/* The next step stays in sight in the fixed bar, even when the notice above is scrolled away. */}
          {kind === 'blocked' && (
            <span className="muted" data-testid="blocked-next">
              {' '}
              · {t('summary.blockedNext')}
            </span>
          )}
        </p>
      </section>
    </>
  )
}

/** Asked before a mixed send and before any send that lowers protection: each group and what it gets. */
export function SendConfirm({
  plan,
  downgraded,
  onCancel,
  onConfirm,
}: {
  plan: ComposePlanView
  downgraded: RecipientPlanView[]
  onCancel: () => void
  onConfirm: () => void
}) {
  const { t } = useI18n()
  const groups = (['smime', 'openpgp', 'container', 'tls'] as const)
    .map((p) => [p, plan.recipients.filter((r) => r.protection === p)] as const)
    .filter(([, list]) => list.length > 0)
  return (
    <Dialog title={t('send.confirmTitle')} onClose={onCancel}>
      <p>{t('summary.messages', { count: plan.messages })}</p>
      <ul className="send-groups">
        {groups.map(([protection, list]) => (
          <li key={protection}>
            <strong>{t(summaryKey[protection])}</strong>:{' '}
            {list.map((r) => (r.field === 'bcc' ? `${r.address} (${t('compose.bcc')})` : r.address)).join(', ')}
          </li>
        ))}
      </ul>
      {plan.recipients.some((r) => r.protection === 'tls') && <p>{t('send.tlsNote')}</p>}
      {plan.recipients.some((r) => r.protection === 'container') && <p>{t('send.containerNote')}</p>}
      {downgraded.length > 0 && (
        <Notice tone="warning" testId="downgrade-confirm">
          {t('send.downgrade', { addresses: downgraded.map((r) => r.address).join(', ') })}
        </Notice>
      )}
      <div className="actions">
        <button type="button" onClick={onCancel} autoFocus>
          {t('common.cancel')}
        </button>
        <button type="button" className="primary" onClick={onConfirm} data-testid="confirm-send">
          {t('send.confirm')}
        </button>
      </div>
    </Dialog>
  )
}

/** What happened to each copy: sent, or held in the Outbox with its reason. */
/** "1 von 1 Nachrichten" reads wrong: one message has its own words. */
function resultTitle(held: number, count: number): MessageKey {
  if (held > 0) return count === 1 ? 'send.resultHeldOne' : 'send.resultHeld'
  return count === 1 ? 'send.resultSentOne' : 'send.resultSent'
}

export function SendResult({
  result,
  onOutbox,
  onNew,
}: {
  result: ComposeSendView
  onOutbox: () => void
  onNew: () => void
}) {
  const { lang, t } = useI18n()
  const held = result.messages.filter((m) => m.state === 'held')
  const protectionName = (p: string | null) => (p && p in summaryKey ? t(summaryKey[p as keyof typeof summaryKey]) : '')
  return (
    <div data-testid="send-result" className="send-result">
      <Notice
        tone={held.length > 0 ? 'warning' : 'ok'}
        title={t(resultTitle(held.length, result.messages.length), {
          count: result.messages.length,
          held: held.length,
        })}
        role="status"
      >
        <ul>
          {result.messages.map((m) => (
            <li key={m.outboxId} data-state={m.state}>
              {m.state === 'sent' ? '✓ ' : '⚠ '}
              {t(m.state === 'sent' ? 'send.copySent' : 'send.copyHeld', {
                recipients: m.recipients.join(', '),
                protection: protectionName(m.protection),
              })}
              {m.reason && <span className="reason"> {m.reason.message[lang]}</span>}
            </li>
          ))}
        </ul>
        {result.sentCopy?.state === 'failed' && <p>{t('send.sentCopyFailed')}</p>}
      </Notice>
      <GeneratedPasswords messages={result.messages} />
      <div className="actions">
        {held.length > 0 && (
          <button type="button" onClick={onOutbox}>
            {t('send.toOutbox')}
          </button>
        )}
        <button type="button" className="primary" onClick={onNew}>
          {t('compose.new')}
        </button>
      </div>
    </div>
  )
}
