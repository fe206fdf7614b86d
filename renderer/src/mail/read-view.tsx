import { useEffect, useRef, useState } from 'react'
import type { KeySummary } from '../../../preload/contract'
import type { ReadingView } from '../../../preload/mail-contract'
import { Dialog, ErrorNotice } from '../components'
import { ImportWizard } from '../keys/import-wizard'
import { Fingerprint } from '../keys/fingerprint'
import { VerifyDialog } from '../keys/verify-dialog'
import { useAction } from '../use-call'
import { Attachments } from './attachments'
import { Icon } from './icons'
import { MessageContent } from './message-content'
import { PasswordPdfs } from './password-pdf'
import { ReadToolbar } from './read-toolbar'
import { ReplyToolbar } from './reply-toolbar'
import { SecurityBar, SecurityDetails, type SecurityActions } from './security-bar'
import { loadPattern } from './security-pattern'
import { useMailWords } from './words'

type Modal =
  | { kind: 'verify'; key: KeySummary }
  | { kind: 'key'; key: KeySummary }
  | { kind: 'import'; files: { fileName: string; data: string }[] }
  | null

function HeaderBlock({ view }: { view: ReadingView }) {
  const subject = useRef<HTMLHeadingElement>(null)
  // A newly opened message takes the focus, so keyboard and screen-reader users start at its subject.
  useEffect(() => subject.current?.focus(), [])
  const { lang, w } = useMailWords()
  const { headers } = view
  const date =
    headers.date && !Number.isNaN(Date.parse(headers.date))
      ? new Date(headers.date).toLocaleString(lang === 'de' ? 'de-DE' : 'en-GB', {
          dateStyle: 'full',
          timeStyle: 'short',
        })
      : headers.date
  const row = (label: string, value: string, testId: string) =>
    value ? (
      <>
        <dt>{label}</dt>
        <dd data-testid={testId}>{value}</dd>
      </>
    ) : null
  return (
    <header className="sp-headers" aria-label={w('header.label')}>
      <h2 className="sp-subject" data-testid="subject" tabIndex={-1} ref={subject}>
        {headers.subject || w('header.noSubject')}
        {headers.isSubjectProtected && (
          <span className="sp-subject-protected">
            {' '}
            <Icon name="lock" size={14} /> {w('header.subjectProtected')}
          </span>
        )}
      </h2>
      <dl className="sp-header-list">
        <dt>{w('header.from')}</dt>
        <dd data-testid="from">
          {headers.fromName && <span className="sp-from-name">{headers.fromName} </span>}
          {/* The real address is always shown, never only a display name. */}
          <span className="sp-from-address">
            {headers.fromAddresses.length ? `<${headers.fromAddresses.join('>, <')}>` : headers.from}
          </span>
        </dd>
        {row(w('header.to'), headers.to.join(', '), 'to')}
        {row(w('header.cc'), headers.cc.join(', '), 'cc')}
        {row(w('header.replyTo'), headers.replyTo.join(', '), 'reply-to')}
        {row(w('header.date'), date, 'date')}
      </dl>
    </header>
  )
}

/** One opened message: headers, the security bar and its details, the content parts, the attachments. */
export function ReadView({ view, onAgain, onClose }: { view: ReadingView; onAgain: () => void; onClose: () => void }) {
  const { w } = useMailWords()
  const [pattern] = useState(loadPattern)
  const [isDetailsOpen, setDetailsOpen] = useState(false)
  const [modal, setModal] = useState<Modal>(null)
  const { error, run } = useAction()
  const imported = useRef(false)
  const detailsButton = useRef<HTMLButtonElement>(null)
  const signerKey = async () => {
    const result = await run(() => window.siegelpost.keysList())
    return result?.value.find((key) => key.id === view.signer?.id) ?? null
  }
  const actions: SecurityActions = {
    onVerify: view.signer
      ? async () => {
          const key = await signerKey()
          if (key) setModal({ kind: 'verify', key })
        }
      : null,
    onShowKey: view.signer
      ? async () => {
          const key = await signerKey()
          if (key) setModal({ kind: 'key', key })
        }
      : null,
    onImportOffered: async (fingerprint) => {
      const result = await run(() => window.siegelpost.mailOfferedKey({ readingId: view.readingId, fingerprint }))
      if (result) setModal({ kind: 'import', files: [result.value] })
    },
    onRestore:
      view.summary.state === 'cannot-decrypt' && view.summary.isKeyMissing
        ? () => setModal({ kind: 'import', files: [] })
        : null,
  }
  return (
    <article
      className="sp-read"
      aria-labelledby="sp-read-subject"
      data-testid="read-view"
      data-reading={view.readingId}
    >
      <ReadToolbar view={view} />
      <div className="sp-read-top">
        <HeaderBlock view={view} />
        <button type="button" className="sp-read-close" onClick={onClose}>
          {w('reader.close')}
        </button>
      </div>
      <SecurityBar
        view={view}
        pattern={pattern}
        isOpen={isDetailsOpen}
        onToggle={() => setDetailsOpen((open) => !open)}
        toggleRef={detailsButton}
      />
      {error && <ErrorNotice error={error} />}
      {isDetailsOpen && (
        <SecurityDetails
          view={view}
          actions={actions}
          onClose={() => (setDetailsOpen(false), detailsButton.current?.focus())}
        />
      )}
      <span id="sp-read-subject" className="visually-hidden">
        {view.headers.subject}
      </span>
      <ReplyToolbar view={view} />
      <MessageContent view={view} onRestore={actions.onRestore} />
      <Attachments view={view} />
      <PasswordPdfs view={view} />
      {modal?.kind === 'verify' && (
        <VerifyDialog
          target={modal.key}
          onClose={() => setModal(null)}
          onVerified={() => (setModal(null), onAgain())}
        />
      )}
      {modal?.kind === 'key' && (
        <Dialog title={w('details.keyTitle')} onClose={() => setModal(null)}>
          <dl className="sp-details-list" data-testid="key-dialog">
            <dt>{w('details.signedBy')}</dt>
            <dd>{modal.key.name}</dd>
            <dt>{w('details.email')}</dt>
            <dd>{modal.key.emails.join(', ')}</dd>
            <dt>{w('details.method')}</dt>
            <dd>{modal.key.technology === 'smime' ? 'S/MIME' : 'OpenPGP'}</dd>
            <dt>{w('details.fingerprint')}</dt>
            <dd>
              <Fingerprint value={modal.key.fingerprint} large />
            </dd>
            <dt>{w('details.acceptance')}</dt>
            <dd>{modal.key.acceptance === 'verified' ? w('details.verified') : w('details.unverified')}</dd>
          </dl>
          <div className="actions">
            <button type="button" className="primary" autoFocus onClick={() => setModal(null)}>
              {w('details.close')}
            </button>
          </div>
        </Dialog>
      )}
      {modal?.kind === 'import' && (
        <ImportWizard
          initialFiles={modal.files}
          onClose={() => {
            setModal(null)
            // With a new key the message reads differently: open it again once the wizard is done.
            if (imported.current) onAgain()
          }}
          onImported={() => void (imported.current = true)}
        />
      )}
    </article>
  )
}
