import { useState } from 'react'
import type { ReadingView } from '../../../preload/mail-contract'
import { Dialog, ErrorNotice } from '../components'
import { useI18n } from '../i18n'
import { useAction } from '../use-call'
import { Icon } from './icons'
import { useMailWords } from './words'

type Attachment = ReadingView['attachments'][number]

export function formatSize(bytes: number, lang: 'de' | 'en'): string {
  const locale = lang === 'de' ? 'de-DE' : 'en-GB'
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toLocaleString(locale, { maximumFractionDigits: 1 })} KB`
  return `${(bytes / 1024 / 1024).toLocaleString(locale, { maximumFractionDigits: 1 })} MB`
}

/**
 * The message's attachments: name, size, type and protection. Saving goes through main's save
 * dialog (written there in chunks, marked as downloaded); nothing is ever opened by itself, and
 * opening a saved program or macro document asks first.
 */
export function Attachments({ view }: { view: ReadingView }) {
  const { lang, w } = useMailWords()
  const { t } = useI18n()
  const { error, run } = useAction()
  const [saved, setSaved] = useState<Record<number, string>>({})
  const [risky, setRisky] = useState<Attachment | null>(null)
  if (view.attachments.length === 0) return null
  const save = async (attachment: Attachment) => {
    const result = await run(() =>
      window.siegelpost.mailSaveAttachment({ readingId: view.readingId, index: attachment.index }),
    )
    if (result?.value.saved) setSaved((s) => ({ ...s, [attachment.index]: result.value.fileName }))
  }
  const open = async (attachment: Attachment, confirmed: boolean) => {
    const result = await run(() =>
      window.siegelpost.mailOpenAttachment({ readingId: view.readingId, index: attachment.index, confirmed }),
    )
    if (result?.value.needsConfirmation) setRisky(attachment)
    else setRisky(null)
  }
  return (
    <section className="sp-attachments" aria-labelledby="sp-att-title">
      <h2 id="sp-att-title">{w('att.title')}</h2>
      {error && <ErrorNotice error={error} />}
      <table className="sp-att-table">
        <thead>
          <tr>
            <th scope="col">{w('att.name')}</th>
            <th scope="col">{w('att.size')}</th>
            <th scope="col">{w('att.protection')}</th>
            <th scope="col">
              <span className="visually-hidden">{w('att.save')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {view.attachments.map((attachment) => (
            <tr key={attachment.index} data-testid="attachment-row">
              {/* The type under the name, not in a column of its own: the reading pane is narrow. */}
              <td>
                <span className="sp-att-name">{attachment.filename}</span>
                <span className="sp-att-type sp-muted">
                  <span className="visually-hidden">{w('att.type')}: </span>
                  {attachment.contentType}
                </span>
              </td>
              <td className="sp-att-size">{formatSize(attachment.size, lang)}</td>
              <td>
                {attachment.isPasswordPdf && !attachment.encrypted ? (
                  // The mail is not encrypted, but this PDF is: said as such, not as "not encrypted".
                  <span className="sp-att-protected">
                    <Icon name="lock" size={14} /> {t('mailpdf.protection')}
                  </span>
                ) : (
                  <span className={attachment.encrypted ? 'sp-att-protected' : 'sp-att-unprotected'}>
                    <Icon name={attachment.encrypted ? 'lock' : 'warning'} size={14} />{' '}
                    {attachment.encrypted ? w('att.protected') : w('att.unprotected')}
                  </span>
                )}
              </td>
              <td>
                <div className="sp-att-actions">
                  <button
                    type="button"
                    onClick={() => void save(attachment)}
                    aria-label={w('att.saveNamed', { name: attachment.filename })}
                  >
                    {w('att.save')}
                  </button>
                  {saved[attachment.index] !== undefined && (
                    <>
                      <span className="sp-att-saved" role="status">
                        <Icon name="check" size={14} /> {w('att.saved', { name: saved[attachment.index]! })}
                      </span>
                      <button
                        type="button"
                        onClick={() => void open(attachment, false)}
                        aria-label={w('att.openNamed', { name: attachment.filename })}
                      >
                        {w('att.open')}
                      </button>
                    </>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {risky && (
        <Dialog title={w('att.riskyTitle')} onClose={() => setRisky(null)}>
          <p>{w('att.riskyText', { name: risky.filename })}</p>
          <div className="actions">
            <button type="button" className="primary" autoFocus onClick={() => setRisky(null)}>
              {lang === 'de' ? 'Nicht öffnen' : 'Do not open'}
            </button>
            <button type="button" className="danger" onClick={() => void open(risky, true)}>
              {w('att.riskyOpen')}
            </button>
          </div>
        </Dialog>
      )}
    </section>
  )
}
