import { useEffect, useRef, type RefObject } from 'react'
import type { ReadingView } from '../../../preload/mail-contract'
import { Fingerprint } from '../keys/fingerprint'
import { Icon, Icons } from './icons'
import { patternName, PatternSwatch, type PatternChoice } from './security-pattern'
import { stateIcons, stateWords, warningWords } from './security-words'
import { TransportTrail } from './transport-trail'
import { useMailWords } from './words'

export interface SecurityActions {
  onVerify: (() => void) | null
  onShowKey: (() => void) | null
  onImportOffered: ((fingerprint: string) => void) | null
  onRestore: (() => void) | null
}

/**
 * The security bar (UI.md §2.1–2.2): drawn by the app above the content, never inside it, with a
 * reserved height, the user's own pattern, an icon and words for both axes, and the warnings.
 */
export function SecurityBar({
  view,
  pattern,
  isOpen,
  onToggle,
  toggleRef,
}: {
  view: ReadingView
  pattern: PatternChoice
  isOpen: boolean
  onToggle: () => void
  toggleRef?: RefObject<HTMLButtonElement | null>
}) {
  const { w } = useMailWords()
  const { title, qualifier } = stateWords(view, w)
  const state = view.summary.state
  return (
    <div className="sp-bar-wrap">
      <div
        className={`sp-bar sp-tone-${view.summary.tone}`}
        role="status"
        aria-label={w('bar.label')}
        data-state={view.summary.state}
        data-testid="security-bar"
      >
        <span className="sp-bar-pattern" title={w('bar.pattern', { name: patternName(pattern, w) })}>
          <PatternSwatch choice={pattern} />
        </span>
        <span className="sp-bar-icon">
          <Icons names={stateIcons[view.summary.state]} size={22} />
        </span>
        <span className="sp-bar-words">
          <strong className="sp-bar-title">{title}</strong>
          {qualifier && <span className="sp-bar-qualifier"> · {qualifier}</span>}
        </span>
        <button
          type="button"
          className="sp-bar-details"
          ref={toggleRef}
          aria-expanded={isOpen}
          aria-controls="sp-details"
          onClick={onToggle}
        >
          {w('bar.details')} <span aria-hidden="true">{isOpen ? '▴' : '▾'}</span>
        </button>
      </div>
      {(state === 'mismatch' || state === 'invalid' || state === 'signature-not-valid') && (
        <p className={`sp-advice sp-tone-${view.summary.tone}`} data-testid="advice">
          {w(`advice.${state}`)}
        </p>
      )}
      {view.warnings.length > 0 && (
        <ul className="sp-warnings" aria-label={w('bar.label')}>
          {view.warnings.map((warning) => (
            <li key={warning.code} className={`sp-warning sp-warning-${warning.code}`} data-code={warning.code}>
              <Icon name={warning.code === 'first-contact' ? 'info' : 'warning'} size={16} />
              {warningWords(warning.code, warning.text, w)}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

function technologyName(technology: 'openpgp' | 'smime' | null): string {
  return technology === 'smime' ? 'S/MIME' : technology === 'openpgp' ? 'OpenPGP' : '–'
}

/** The details popover "Nachrichten-Sicherheit" (UI.md §2.3): not modal; Escape or the button closes it. */
export function SecurityDetails({
  view,
  actions,
  onClose,
}: {
  view: ReadingView
  actions: SecurityActions
  onClose: () => void
}) {
  const { lang, w } = useMailWords()
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => ref.current?.focus(), [])
  const date = (iso: string | null) =>
    iso
      ? new Date(iso).toLocaleString(lang === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'long', timeStyle: 'short' })
      : '–'
  const { encryption, signature, signer } = view
  const encryptionText =
    encryption.state === 'encrypted'
      ? w('details.encrypted')
      : encryption.state === 'failed'
        ? w('details.failed')
        : w('details.notEncrypted')
  const importable = view.offeredKeys.filter((key) => key.canImport && !key.isKnown)
  return (
    <div
      id="sp-details"
      className="sp-details"
      role="region"
      aria-labelledby="sp-details-title"
      tabIndex={-1}
      ref={ref}
      data-testid="security-details"
      onKeyDown={(event) => event.key === 'Escape' && onClose()}
    >
      <div className="sp-details-head">
        <h2 id="sp-details-title">{w('details.title')}</h2>
        <button type="button" onClick={onClose}>
          {w('details.close')}
        </button>
      </div>
      <dl className="sp-details-list">
        <dt>{w('details.encryption')}</dt>
        <dd>
          {encryptionText}
          {encryption.technology ? ` (${technologyName(encryption.technology)})` : ''}
        </dd>
        {encryption.reason && encryption.state !== 'encrypted' && (
          <>
            <dt>{w('details.reason')}</dt>
            <dd className="sp-reason">{encryption.message?.[lang] ?? encryption.reason}</dd>
          </>
        )}
        {signer ? (
          <>
            <dt>{w('details.signedBy')}</dt>
            <dd>{signer.name || signer.email}</dd>
            <dt>{w('details.email')}</dt>
            <dd>{signer.email}</dd>
            <dt>{w('details.method')}</dt>
            <dd>{technologyName(signer.technology)}</dd>
            <dt>{w('details.fingerprint')}</dt>
            <dd>
              <Fingerprint value={signer.fingerprint} />
            </dd>
            <dt>{w('details.signedAt')}</dt>
            <dd>{date(signer.signedAt)}</dd>
            <dt>{w('details.acceptance')}</dt>
            <dd>{signer.acceptance === 'verified' ? w('details.verified') : w('details.unverified')}</dd>
          </>
        ) : (
          <>
            <dt>{w('details.signedBy')}</dt>
            <dd>{w('details.noSignature')}</dd>
          </>
        )}
        {signature.state !== 'none' && signature.state !== 'valid' && signature.reason && (
          <>
            <dt>{w('details.reason')}</dt>
            <dd className="sp-reason">{signature.message?.[lang] ?? signature.reason}</dd>
          </>
        )}
        {view.previousKey && (
          <>
            <dt>{w('details.previousKey')}</dt>
            <dd>
              <Fingerprint value={view.previousKey.fingerprint} />
            </dd>
          </>
        )}
      </dl>
      {importable.map((key) => (
        <p key={key.fingerprint}>{w('details.offered', { emails: key.emails.join(', ') || key.fingerprint })}</p>
      ))}
      <div className="actions sp-details-actions">
        {actions.onVerify && signer?.acceptance === 'unverified' && (
          <button type="button" className="primary" onClick={actions.onVerify}>
            {w('details.verify')}
          </button>
        )}
        {actions.onShowKey && (
          <button type="button" onClick={actions.onShowKey}>
            {w('details.showKey')}
          </button>
        )}
        {actions.onImportOffered &&
          importable.map((key) => (
            <button key={key.fingerprint} type="button" onClick={() => actions.onImportOffered!(key.fingerprint)}>
              {w('details.import')}
            </button>
          ))}
        {actions.onRestore && (
          <button type="button" className="primary" onClick={actions.onRestore}>
            {w('details.restore')}
          </button>
        )}
      </div>
      <h3>{w('trail.title')}</h3>
      <TransportTrail transport={view.transport} />
    </div>
  )
}
