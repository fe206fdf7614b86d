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

const words = {
  de: {
    opening: 'Nachricht wird geöffnet …',
    progress: 'Große Nachricht wird entschlüsselt: {done} von {total}',
    cancel: 'Abbrechen',
    cancelling: 'Wird abgebrochen …',
    cancelled:
      'Öffnen abgebrochen. Von dieser Nachricht wird nichts angezeigt; sie bleibt unverändert und lässt sich später erneut öffnen.',
  },
  en: {
    opening: 'Opening the message …',
    progress: 'Decrypting a large message: {done} of {total}',
    cancel: 'Cancel',
    cancelling: 'Cancelling …',
    cancelled: 'Opening cancelled. Nothing of this message is shown; it stays as it is and can be opened again later.',
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
  const open = useCallback(async (source: MailSource): Promise<Opened | null> => {
    const jobId = crypto.randomUUID()
    current.current = jobId
    setError(null)
    setPhase({ kind: 'opening', jobId, done: 0, total: 0, isCancelling: false })
    const timer = setInterval(() => {
      void settle(window.siegelpost.mailProgress({ jobId })).then((result) => {
        if (!result.ok || result.value.state !== 'running' || current.current !== jobId) return
        const { done, total } = result.value
        setPhase((now) => (now.kind === 'opening' && now.jobId === jobId ? { ...now, done, total } : now))
      })
    }, pollMs)
    const result = await settle(window.siegelpost.mailOpen({ source, jobId }))
    clearInterval(timer)
    if (current.current !== jobId) return null
    current.current = null
    const wasCancelling = cancelled.current === jobId
    setPhase({ kind: 'idle' })
    if (!result.ok) {
      setError(result.error)
      return null
    }
    if (result.value.cancelled || !result.value.reading) {
      if (wasCancelling) setPhase({ kind: 'cancelled' })
      return null
    }
    return { reading: result.value.reading, seen: result.value.seen }
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
