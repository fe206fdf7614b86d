import { useState } from 'react'
import type { ReadingView } from '../../../preload/mail-contract'
import { Dialog, ErrorNotice } from '../components'
import { currentDraftKey } from '../compose/composer'
import { useI18n } from '../i18n'
import { useAction } from '../use-call'

type Kind = 'reply' | 'reply-all' | 'forward'

const words = {
  de: {
    label: 'Antworten und weiterleiten',
    reply: 'Antworten',
    'reply-all': 'Allen antworten',
    forward: 'Weiterleiten',
    confirmTitle: 'Antwortadresse ist nicht der Absender',
    confirmText:
      'Diese Nachricht bittet, Antworten an {replyTo} zu senden – nicht an den Absender {from}. So kann jemand Antworten an sich umleiten. An wen möchten Sie antworten?',
    toSender: 'An den Absender ({from})',
    toReplyTo: 'An die Antwortadresse ({replyTo})',
    cancel: 'Abbrechen',
  },
  en: {
    label: 'Reply and forward',
    reply: 'Reply',
    'reply-all': 'Reply all',
    forward: 'Forward',
    confirmTitle: 'The reply address is not the sender',
    confirmText:
      'This message asks for replies to go to {replyTo} – not to the sender {from}. This is a way to divert replies. Whom do you want to reply to?',
    toSender: 'To the sender ({from})',
    toReplyTo: 'To the reply address ({replyTo})',
    cancel: 'Cancel',
  },
} as const

/**
 * "Antworten / Allen antworten / Weiterleiten" for the open message: main makes the draft from the same
 * reading (the quote is only what was shown as one protected unit) and the composer opens it. A
 * Reply-To that names someone other than the sender is never followed silently: the user chooses.
 */
export function ReplyToolbar({ view }: { view: ReadingView }) {
  const { lang } = useI18n()
  const w = words[lang]
  const { busy, error, run } = useAction()
  const [asking, setAsking] = useState<Exclude<Kind, 'forward'> | null>(null)
  const { replyTo, fromAddresses } = view.headers
  const differs = replyTo.some((address) => !fromAddresses.includes(address.toLowerCase()))
  const fill = (text: string) =>
    text.replace('{replyTo}', replyTo.join(', ')).replace('{from}', fromAddresses.join(', ') || view.headers.from)
  const start = async (kind: Kind, toReplyTo: boolean) => {
    setAsking(null)
    const result = await run(() => window.siegelpost.mailReply({ readingId: view.readingId, kind, toReplyTo, lang }))
    if (!result) return
    window.localStorage.setItem(currentDraftKey, result.value.draftId)
    window.dispatchEvent(new CustomEvent('siegelpost:navigate', { detail: { section: 'compose' } }))
  }
  const choose = (kind: Kind) => (kind !== 'forward' && differs ? setAsking(kind) : void start(kind, false))
  return (
    <div className="sp-reply-toolbar actions" role="toolbar" aria-label={w.label} data-testid="reply-toolbar">
      {(['reply', 'reply-all', 'forward'] as const).map((kind) => (
        <button key={kind} type="button" disabled={busy} data-testid={`reply-${kind}`} onClick={() => choose(kind)}>
          {w[kind]}
        </button>
      ))}
      {error && <ErrorNotice error={error} />}
      {asking && (
        <Dialog title={w.confirmTitle} onClose={() => setAsking(null)}>
          <p data-testid="reply-to-question">{fill(w.confirmText)}</p>
          <div className="actions">
            <button type="button" className="primary" autoFocus onClick={() => void start(asking, false)}>
              {fill(w.toSender)}
            </button>
            <button type="button" data-testid="reply-to-confirm" onClick={() => void start(asking, true)}>
              {fill(w.toReplyTo)}
            </button>
            <button type="button" onClick={() => setAsking(null)}>
              {w.cancel}
            </button>
          </div>
        </Dialog>
      )}
    </div>
  )
}
