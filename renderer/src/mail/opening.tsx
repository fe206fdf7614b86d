import { useCallback, useRef, useState } from 'react'
import type { WireError } from '../../../preload/contract'
import type { MailSource, ReadingView, Seen } from '../../../preload/mail-contract'
import { Busy } from '../components'
import { useI18n } from '../i18n'
import { settle } from '../use-call'
import { formatSize } from './attachments'

/** An opened message, and what happened to its read flag (stored messages only). */
export interface Opened {
  reading: ReadingView
  seen: Seen | null | undefined
}

/**
 * How an opening ended: `opened`; `cancelled` by the user; `failed` (the error is in `error`);
 * `nothing` chosen (the open dialog was dismissed); `superseded` by a later opening.
 */
export type OpeningResult = ({ kind: 'opened' } & Opened) | { kind: 'cancelled' | 'failed' | 'nothing' | 'superseded' }

const words = {
  de: {
    opening: 'Nachricht wird geöffnet …',
    progress: 'Große Nachricht wird entschlüsselt: {done} von {total}',
    cancel: 'Abbrechen',
    cancelling: 'Wird abgebrochen …',
    cancelled:
      'Öffnen abgebrochen. Von dieser Nachricht wird nichts angezeigt; sie bleibt unverändert und lässt sich später erneut öffnen.',
    barOpening: 'Wird geöffnet …',
    barOpeningQualifier: 'die Sicherheit wird angezeigt, sobald die Nachricht geöffnet ist',
  },
  en: {
    opening: 'Opening the message …',
    progress: 'Decrypting a large message: {done} of {total}',
    cancel: 'Cancel',
    cancelling: 'Cancelling …',
    cancelled: 'Opening cancelled. Nothing of this message is shown; it stays as it is and can be opened again later.',
    barOpening: 'Opening …',
    barOpeningQualifier: 'its security is shown once the message is open',
  },
}

/** How often the window asks main how far a large message is. */
const pollMs = 250

type Phase =
  | { kind: 'idle' }
  | { kind: 'opening'; jobId: string; done: number; total: number; isCancelling: boolean }
  | { kind: 'cancelled' }

/**
 * Opening a message with its progress and a cancel that stops main's work: the opening gets a job
 * id; while it runs, main is asked how far it is; Cancel ends its worker and nothing is shown.
 */
export function useOpening() {
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' })
  const [error, setError] = useState<WireError | null>(null)
  const current = useRef<string | null>(null)
  const cancelled = useRef<string | null>(null)
  const open = useCallback(async (source: MailSource): Promise<OpeningResult> => {
    const jobId = crypto.randomUUID()
    current.current = jobId
    setError(null)
    setPhase({ kind: 'opening', jobId, done: 0, total: 0, isCancelling: false })
    const timer = setInterval(() => {
      void settle(window.siegelpost.mailProgress({ jobId })).then((result) => {
        if (!result.ok || result.value.state !== 'running' || current.current !== jobId) return
        const { done, total } = result.value
        // Only a visible change re-renders (a poll that found the same figures does not).
        setPhase((now) =>
          now.kind === 'opening' && now.jobId === jobId && (now.done !== done || now.total !== total)
            ? { ...now, done, total }
            : now,
        )
      })
    }, pollMs)
    const result = await settle(window.siegelpost.mailOpen({ source, jobId }))
    clearInterval(timer)
    if (current.current !== jobId) return { kind: 'superseded' }
    current.current = null
    const wasCancelling = cancelled.current === jobId
    setPhase({ kind: 'idle' })
    if (!result.ok) {
      setError(result.error)
      return { kind: 'failed' }
    }
    if (result.value.cancelled || !result.value.reading) {
      if (!wasCancelling) return { kind: 'nothing' }
      setPhase({ kind: 'cancelled' })
      return { kind: 'cancelled' }
    }
    return { kind: 'opened', reading: result.value.reading, seen: result.value.seen }
  }, [])
  const cancel = useCallback(() => {
    const jobId = current.current
    if (!jobId) return
    cancelled.current = jobId
    setPhase((now) => (now.kind === 'opening' ? { ...now, isCancelling: true } : now))
    void settle(window.siegelpost.mailCancel({ jobId }))
  }, [])
  return { phase, error, open, cancel, busy: phase.kind === 'opening' }
}

/**
 * What the read pane shows while a message opens, in place of any message shown before: a neutral
 * header and bar of the same reserved height saying "opening", never the previous message's verdict,
 * then the progress with its Cancel button.
 */
export function OpeningPlaceholder({ opening }: { opening: ReturnType<typeof useOpening> }) {
  const { lang } = useI18n()
  const w = words[lang]
  return (
    <section className="sp-read sp-read-opening" data-testid="read-opening" aria-label={w.opening}>
      <div className="sp-bar-wrap">
        <div className="sp-bar sp-bar-opening" data-testid="opening-bar">
          <span className="sp-bar-icon" aria-hidden="true">
            <span className="sp-bar-spinner" />
          </span>
          <span className="sp-bar-words">
            <strong className="sp-bar-title">{w.barOpening}</strong>
            <span className="sp-bar-qualifier"> · {w.barOpeningQualifier}</span>
          </span>
        </div>
      </div>
      <OpeningProgress opening={opening} />
    </section>
  )
}

/** The opening's progress with its Cancel button, or the note that it was cancelled. */
export function OpeningProgress({ opening }: { opening: ReturnType<typeof useOpening> }) {
  const { lang } = useI18n()
  const w = words[lang]
  const { phase } = opening
  if (phase.kind === 'cancelled')
    return (
      <p className="sp-open-cancelled" role="status" data-testid="open-cancelled">
        {w.cancelled}
      </p>
    )
  if (phase.kind !== 'opening') return null
  const hasProgress = phase.total > 0
  const label = hasProgress
    ? w.progress.replace('{done}', formatSize(phase.done, lang)).replace('{total}', formatSize(phase.total, lang))
    : w.opening
  return (
    <div className="sp-open-progress" data-testid="open-progress" data-done={phase.done} data-total={phase.total}>
      {hasProgress ? (
        <>
          <p role="status" aria-live="polite">
            {label}
          </p>
          <progress max={phase.total} value={phase.done} aria-label={label} />
        </>
      ) : (
        <Busy text={w.opening} />
      )}
      <button type="button" data-testid="open-cancel" disabled={phase.isCancelling} onClick={opening.cancel}>
        {phase.isCancelling ? w.cancelling : w.cancel}
      </button>
    </div>
  )
}
