import { useEffect, useRef, useState } from 'react'
import type { ComposeSendView, Result, WireError } from '../../../preload/contract'
import { ErrorNotice, Notice } from '../components'
import { useI18n } from '../i18n'
import { settle, useAction } from '../use-call'
import './password.css'

type Shown = { recipient: string; password: string }

/**
 * Each password is asked from main once (a second ask is refused there); the one request is shared so a
 * component shown twice (React's development double effects) does not use it up.
 */
const asked = new Map<string, Promise<Result<Shown>>>()
const showOnce = (passwordId: string) => {
  let pending = asked.get(passwordId)
  if (!pending) {
    pending = settle(window.siegelpost.composePasswordShow({ passwordId }))
    asked.set(passwordId, pending)
  }
  return pending
}

function GeneratedPassword({ passwordId }: { passwordId: string }) {
  const { t } = useI18n()
  const [shown, setShown] = useState<Shown | null>(null)
  const [failed, setFailed] = useState<WireError | null>(null)
  const [note, setNote] = useState<string | null>(null)
  const [isForgotten, setForgotten] = useState(false)
  const { busy, error, run } = useAction()
  useEffect(() => {
    let live = true
    void showOnce(passwordId).then((answer) => {
      if (!live) return
      if (answer.ok) setShown(answer.value)
      else setFailed(answer.error)
    })
    return () => void (live = false)
  }, [passwordId])
  if (failed) return <ErrorNotice error={failed} />
  if (!shown) return null
  if (isForgotten)
    return (
      <Notice tone="ok" testId="password-forgotten">
        {t('pwshown.forgotten', { recipient: shown.recipient })}
      </Notice>
    )
  const copy = async () => {
    const done = await run(() => window.siegelpost.composePasswordCopy({ passwordId }))
    if (done) setNote(t('pwshown.copied', { seconds: done.value.clearsAfterSeconds }))
  }
  const letter = async () => {
    const done = await run(() => window.siegelpost.composePasswordLetter({ passwordId }))
    if (done?.value.saved) setNote(t('pwshown.letterSaved', { name: done.value.fileName }))
  }
  const forget = async () => {
    if (await run(() => window.siegelpost.composePasswordForget({ passwordId }))) {
      asked.delete(passwordId)
      setForgotten(true)
    }
  }
  const titleId = `password-${passwordId}`
  return (
    <section
      className="password-shown"
      aria-labelledby={titleId}
      data-testid="generated-password"
      data-recipient={shown.recipient}
    >
      <h2 id={titleId}>{t('pwshown.title', { recipient: shown.recipient })}</h2>
      <p className="password-once">{t('pwshown.once')}</p>
      <p className="password-value">
        <span className="visually-hidden">{t('pwshown.label')}: </span>
        <span className="mono" data-testid="password-value">
          {shown.password}
        </span>
      </p>
      <p>{t('pwshown.tell')}</p>
      <div className="actions password-actions">
        <button type="button" onClick={() => void copy()} disabled={busy}>
          {t('pwshown.copy')}
        </button>
        <button type="button" onClick={() => void letter()} disabled={busy}>
          {t('pwshown.letter')}
        </button>
        <button type="button" onClick={() => void forget()} disabled={busy}>
          {t('pwshown.done')}
        </button>
      </div>
      {note && (
        <Notice tone="ok" role="status" testId="password-note">
          {note}
        </Notice>
      )}
      {error && <ErrorNotice error={error} />}
    </section>
  )
}

/**
 * After a send: every password generated for a container copy, shown once with "Passwortbrief drucken" and a
 * copy button (main clears the clipboard again). Leaving the result makes main forget them.
 */
export function GeneratedPasswords({ messages }: { messages: ComposeSendView['messages'] }) {
  const { t } = useI18n()
  const ids = messages.flatMap((m) => (m.passwordId ? [m.passwordId] : []))
  const mounted = useRef(0)
  useEffect(() => {
    mounted.current++
    return () => {
      mounted.current--
      // After the tick: React's development double effects mount the view again at once; a real leave does not.
      window.setTimeout(() => {
        if (mounted.current > 0) return
        for (const passwordId of ids) {
          asked.delete(passwordId)
          void settle(window.siegelpost.composePasswordForget({ passwordId }))
        }
      }, 0)
    }
  }, [ids.join(',')])
  const standing = messages.filter((m) => m.protection === 'container' && !m.passwordId).flatMap((m) => m.recipients)
  if (ids.length === 0 && standing.length === 0) return null
  return (
    <div className="passwords-shown" data-testid="generated-passwords">
      {standing.length > 0 && (
        <p data-testid="standing-used">{t('pwshown.standingUsed', { recipients: standing.join(', ') })}</p>
      )}
      {ids.length > 0 && (
        <Notice tone="warning" role="status">
          {t('pwshown.leaveWarning')}
        </Notice>
      )}
      {ids.map((passwordId) => (
        <GeneratedPassword key={passwordId} passwordId={passwordId} />
      ))}
    </div>
  )
}
