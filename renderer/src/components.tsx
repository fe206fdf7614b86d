import { useEffect, useRef, type ReactNode } from 'react'
import type { Result, WireError } from '../../preload/contract'
import { useI18n, type MessageKey } from './i18n'
import { useAction } from './use-call'

export function Page({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      {children}
    </section>
  )
}

export type Tone = 'ok' | 'info' | 'warning' | 'error'
const toneMark: Record<Tone, string> = { ok: '✓', info: 'ℹ', warning: '⚠', error: '✕' }
/** Successes are announced politely, errors at once; other tones only when the caller says so. */
const toneRole: Partial<Record<Tone, 'status' | 'alert'>> = { ok: 'status', error: 'alert' }

/**
 * A notice next to what it is about. The tone sets the colour and a mark, so colour is never the only
 * sign (WCAG 1.4.1); the mark is hidden from screen readers, which hear the role instead. With a
 * `title` the notice is a block: the title in bold, the children below it.
 */
export function Notice({
  tone,
  title,
  mark = toneMark[tone],
  role = toneRole[tone],
  testId,
  code,
  children,
}: {
  tone: Tone
  title?: string
  /** Another mark than the tone's, e.g. ✕ for a warning about a key that cannot be used. */
  mark?: string
  role?: 'status' | 'alert'
  testId?: string
  /** The error code, for tests and support; never shown. */
  code?: string
  children: ReactNode
}) {
  const attributes = { className: `notice notice-${tone}`, role, 'data-testid': testId, 'data-code': code }
  const icon = <span aria-hidden="true">{mark} </span>
  if (title === undefined) {
    return (
      <p {...attributes}>
        {icon}
        {children}
      </p>
    )
  }
  return (
    <div {...attributes}>
      <strong>
        {icon}
        {title}
      </strong>
      {children}
    </div>
  )
}

/** An error from main, in the user's language, with the fix the text names and a retry. */
export function ErrorNotice({ error, onRetry }: { error: WireError; onRetry?: () => void }) {
  const { lang, t } = useI18n()
  return (
    <Notice tone="error" title={t('error.title')} code={error.code}>
      <p>{error.message[lang]}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('error.retry')}
        </button>
      )}
    </Notice>
  )
}

/**
 * A modal dialog on the native <dialog> element: focus moves into it, Escape and the cancel
 * action close it, and the rest of the window is inert while it is open.
 */
export function Dialog({
  title,
  onClose,
  children,
  wide,
}: {
  title: string
  onClose: () => void
  children: ReactNode
  wide?: boolean
}) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const dialog = ref.current
    if (dialog && !dialog.open) dialog.showModal()
    return () => dialog?.close()
  }, [])
  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-labelledby="dialog-title"
      onCancel={(event) => {
        // React passes a nested dialog's cancel up to its ancestors: only the top dialog closes.
        if (event.target !== event.currentTarget) return
        event.preventDefault()
        onClose()
      }}
    >
      <h2 id="dialog-title">{title}</h2>
      {children}
    </dialog>
  )
}

/** The line that says main is working, announced politely; `text` names the work when it takes long. */
/**
 * A wizard's steps: the steps behind ticked (or dashed when `wasSkipped` says the step was not needed),
 * the current one marked for screen readers, and "step n of m" written out.
 */
export function StepList<S extends string>({
  steps,
  current,
  wasSkipped = () => false,
}: {
  steps: readonly { id: S; label: MessageKey }[]
  current: S
  wasSkipped?: (id: S) => boolean
}) {
  const { t } = useI18n()
  const position = steps.findIndex((s) => s.id === current) + 1
  const progress = t('import.progress', { current: position, total: steps.length })
  return (
    <>
      <ol className="steps" aria-label={progress}>
        {steps.map((s, index) => {
          const skipped = index + 1 < position && wasSkipped(s.id)
          const done = index + 1 < position && !skipped
          return (
            <li
              key={s.id}
              aria-current={s.id === current ? 'step' : undefined}
              className={done ? 'done' : skipped ? 'skipped' : undefined}
            >
              <span aria-hidden="true">{done ? '✓' : skipped ? '–' : index + 1}</span> {t(s.label)}
            </li>
          )
        })}
      </ol>
      <p className="step-count">{progress}</p>
    </>
  )
}

export function Busy({ text }: { text?: string }) {
  const { t } = useI18n()
  return (
    <p className="busy" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {text ?? t('common.working')}
    </p>
  )
}

/** A success line after an action (announced to screen readers); nothing while there is none. */
export function OkNotice({ text }: { text: string | null }) {
  return text ? <Notice tone="ok">{text}</Notice> : null
}

/**
 * The end of a form or dialog: its error, the busy line, Cancel and the main action. Without `onAction`
 * the main action submits the form; `danger` marks a final step (then Cancel has the focus).
 */
export function ActionFooter({
  error,
  busy,
  onCancel,
  action,
  onAction,
  danger,
}: {
  error: WireError | null
  busy: boolean
  onCancel: () => void
  action: string
  onAction?: () => void
  danger?: boolean
}) {
  const { t } = useI18n()
  return (
    <>
      {error && <ErrorNotice error={error} />}
      {busy && <Busy />}
      <div className="actions">
        <button type="button" onClick={onCancel} disabled={busy} autoFocus={danger}>
          {t('common.cancel')}
        </button>
        <button
          type={onAction ? 'button' : 'submit'}
          className={danger ? 'danger' : 'primary'}
          onClick={onAction}
          disabled={busy}
        >
          {action}
        </button>
      </div>
    </>
  )
}

/** Asks before a final step: Cancel has the focus, the step runs in main, its error shows in the dialog. */
export function ConfirmDialog({
  title,
  confirm,
  run,
  onClose,
  onDone,
  children,
}: {
  title: string
  confirm: string
  run: () => Promise<Result<unknown>>
  onClose: () => void
  onDone: () => void
  children: ReactNode
}) {
  const { busy, error, run: start } = useAction()
  return (
    <Dialog title={title} onClose={onClose}>
      {children}
      <ActionFooter
        error={error}
        busy={busy}
        onCancel={onClose}
        action={confirm}
        danger
        onAction={async () => void ((await start(run)) && onDone())}
      />
    </Dialog>
  )
}
