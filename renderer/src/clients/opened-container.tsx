import type { OpenedContainerView } from '../../../preload/contract'
import { useI18n } from '../i18n'

const size = (bytes: number, lang: 'de' | 'en') =>
  bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toLocaleString(lang, { maximumFractionDigits: 1 })} MB`
    : bytes >= 1024
      ? `${(bytes / 1024).toLocaleString(lang, { maximumFractionDigits: 1 })} KB`
      : `${bytes} B`

/**
 * What an opened password PDF holds: sender, date, subject, the text (plain text only) and the enclosed files
 * with SHA-256, each with a save button. Used by the Mandanten page's dialog and by the read view.
 */
export function OpenedContainerContent({
  opened,
  busy,
  onSave,
}: {
  opened: OpenedContainerView
  busy: boolean
  onSave: (index: number) => void
}) {
  const { lang, t } = useI18n()
  return (
    <>
      <dl className="draft-head">
        <dt>{t('container.from')}</dt>
        <dd>{opened.from}</dd>
        <dt>{t('container.date')}</dt>
        <dd>
          {new Date(opened.date).toLocaleString(lang === 'de' ? 'de-DE' : 'en-GB', {
            dateStyle: 'medium',
            timeStyle: 'short',
          })}
        </dd>
        <dt>{t('container.subject')}</dt>
        <dd className="draft-subject">{opened.subject}</dd>
      </dl>
      <div className="draft-body container-text" data-testid="container-text">
        {opened.text}
      </div>
      <h3 className="chosen-title">{t('container.attachments', { count: opened.attachments.length })}</h3>
      {opened.attachments.length === 0 && <p className="empty">{t('container.noAttachments')}</p>}
      <ul className="container-files">
        {opened.attachments.map((file) => (
          <li key={file.index}>
            <div>
              <span className="file-name">{file.filename}</span>{' '}
              <span className="attachment-size">
                {size(file.size, lang)} ({file.size.toLocaleString(lang)} Bytes)
              </span>{' '}
              <span className="sha-ok">✓ {t('container.checked')}</span>
              {/* Written as on the PDF's cover page, so the two can be compared. */}
              <p className="sha mono">
                <span className="visually-hidden">{t('container.sha256')} </span>
                <span aria-hidden="true">SHA-256: </span>
                {file.sha256}
              </p>
            </div>
            <button
              type="button"
              onClick={() => onSave(file.index)}
              disabled={busy}
              aria-label={t('container.saveNamed', { name: file.filename })}
            >
              {t('container.save')}
            </button>
          </li>
        ))}
      </ul>
    </>
  )
}
