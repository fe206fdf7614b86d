import { useEffect, useState } from 'react'
import { OkNotice, ErrorNotice } from '../components'
import { useI18n } from '../i18n'
import { settle, useAction } from '../use-call'

/** The account's signature block (the Kanzlei's required details), kept sealed in the profile; new mail starts with it. */
export function SignatureEditor({ account }: { account: string }) {
  const { t } = useI18n()
  const [text, setText] = useState('')
  const [saved, setSaved] = useState<string | null>(null)
  const { busy, error, run } = useAction()
  useEffect(() => {
    void settle(window.siegelpost.composeSignature({ account })).then(
      (answer) => answer.ok && setText(answer.value.text),
    )
  }, [account])
  return (
    <details className="signature-editor">
      <summary>{t('signature.title', { account })}</summary>
      <label htmlFor="signature-text" className="field">
        {t('signature.label')}
      </label>
      <textarea
        id="signature-text"
        rows={4}
        value={text}
        onChange={(event) => (setText(event.target.value), setSaved(null))}
      />
      <p className="muted">{t('signature.hint')}</p>
      <button
        type="button"
        disabled={busy}
        onClick={async () =>
          (await run(() => window.siegelpost.composeSetSignature({ account, text }))) && setSaved(t('signature.saved'))
        }
      >
        {t('signature.save')}
      </button>
      <OkNotice text={saved} />
      {error && <ErrorNotice error={error} />}
    </details>
  )
}
