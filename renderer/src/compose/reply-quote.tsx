import type { DraftSummary } from '../../../preload/contract'
import { useI18n } from '../i18n'

const words = {
  de: {
    quote: 'Zitierte Nachricht',
    forward: 'Weitergeleitete Nachricht',
    endToEndOnly:
      'Die ursprüngliche Nachricht war verschlüsselt: Dieser Text geht nur an Empfänger mit Ende-zu-Ende-Verschlüsselung. Alle anderen erhalten stattdessen einen Hinweis.',
    forwardEndToEndOnly:
      'Die ursprüngliche Nachricht war verschlüsselt: Sie kann nur an Empfänger mit Ende-zu-Ende-Verschlüsselung weitergeleitet werden.',
    asIs: 'Wird unverändert unter Ihren Text gesetzt.',
    htmlLeftOut:
      'Ein HTML-Teil der Nachricht verbirgt Text auf eine Weise, die sich nicht sicher erkennen lässt: Er wird nicht zitiert.',
  },
  en: {
    quote: 'Quoted message',
    forward: 'Forwarded message',
    endToEndOnly:
      'The original message was encrypted: this text goes only to recipients with end-to-end encryption. Everyone else gets a note instead.',
    forwardEndToEndOnly:
      'The original message was encrypted: it can be forwarded only to recipients with end-to-end encryption.',
    asIs: 'Added unchanged below your text.',
    htmlLeftOut: 'An HTML part of the message hides text in a way that cannot be told for sure: it is not quoted.',
  },
} as const

/**
 * A reply's quote or a forward's content as main built it from what the read view showed: shown read
 * only (main puts it into each copy its protection allows), with what happens to it in plain words.
 */
export function ReplyQuote({ reply }: { reply: NonNullable<DraftSummary['reply']> }) {
  const { lang } = useI18n()
  const w = words[lang]
  const isForward = reply.kind === 'forward'
  return (
    <section className="reply-quote" aria-label={isForward ? w.forward : w.quote} data-testid="reply-quote">
      <p className="muted" data-testid="reply-quote-note">
        {reply.isEndToEndOnly ? (isForward ? w.forwardEndToEndOnly : w.endToEndOnly) : w.asIs}
      </p>
      {reply.isHtmlLeftOut && (
        <p className="muted" data-testid="reply-quote-html-left-out">
          {w.htmlLeftOut}
        </p>
      )}
      <pre className="reply-quote-text">{reply.quote}</pre>
    </section>
  )
}
