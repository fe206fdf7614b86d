import { useState } from 'react'
import { Busy, Dialog, ErrorNotice, Notice } from '../components'
import { useI18n } from '../i18n'
import { useAction } from '../use-call'

/** Certificate request for a CA (UI.md §1.5): name and address in, a .csr file out, the key waits in the vault. */
export function CsrDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const { t } = useI18n()
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const { busy, error, run } = useAction()
  const [result, setResult] = useState<{ saved: boolean; fileName: string } | null>(null)
  const create = async () => {
    const done = await run(() => window.siegelpost.keysCsr({ name: name.trim(), email: email.trim() }))
    if (!done) return
    setResult(done.value)
    if (done.value.saved) onCreated()
  }
  return (
    <Dialog title={t('csr.title')} onClose={onClose}>
      {!result?.saved ? (
        <form
          onSubmit={(event) => {
            event.preventDefault()
            void create()
          }}
        >
          <p>{t('csr.intro')}</p>
          <label htmlFor="csr-name">{t('csr.name')}</label>
          <input id="csr-name" type="text" value={name} onChange={(event) => setName(event.target.value)} autoFocus />
          <label htmlFor="csr-email">{t('csr.email')}</label>
          <input id="csr-email" type="email" value={email} onChange={(event) => setEmail(event.target.value)} />
          {result && !result.saved && (
            <Notice tone="info" role="status">
              {t('csr.cancelled')}
            </Notice>
          )}
          {error && <ErrorNotice error={error} />}
          {busy && <Busy />}
          <div className="actions">
            <button type="button" onClick={onClose} disabled={busy}>
              {t('common.cancel')}
            </button>
            <button
              type="submit"
              className="primary"
              disabled={busy || !name.trim() || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())}
            >
              {t('csr.create')}
            </button>
          </div>
        </form>
      ) : (
        <>
          <Notice tone="ok">{t('csr.done', { name: result.fileName })}</Notice>
          <p>{t('csr.next')}</p>
          <div className="actions">
            <button type="button" className="primary" onClick={onClose}>
              {t('common.close')}
            </button>
          </div>
        </>
      )}
    </Dialog>
  )
}
