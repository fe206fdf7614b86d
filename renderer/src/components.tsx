import type { ReactNode } from 'react'
import type { WireError } from '../../preload/contract'
import { useI18n } from './i18n'

export function Page({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      {children}
    </section>
  )
}

/** An error from main, in the user's language, with the fix the text names and a retry. */
export function ErrorNotice({ error, onRetry }: { error: WireError; onRetry?: () => void }) {
  const { lang, t } = useI18n()
  return (
    <div className="notice notice-error" role="alert" data-code={error.code}>
      <strong>{t('error.title')}</strong>
      <p>{error.message[lang]}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('error.retry')}
        </button>
      )}
    </div>
  )
}
