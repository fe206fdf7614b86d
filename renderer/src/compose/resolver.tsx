import { useState } from 'react'
import type { KeySummary, RecipientPlanView } from '../../../preload/contract'
import { Busy, Dialog, ErrorNotice, Notice, OkNotice } from '../components'
import { useI18n } from '../i18n'
import { Fingerprint } from '../keys/fingerprint'
import { ImportWizard } from '../keys/import-wizard'
import { formatDate } from '../keys/key-state'
import { useAction } from '../use-call'
import { ChipIcon } from './chip-icon'
import { chipBadge, chipStateOf, chipTooltip } from './chip-state'

/**
 * The resolver (UI.md §3.1, Thunderbird's key assistant): what was found for one recipient and the
 * ways to a secure delivery — look the key up in the Web Key Directory, import it from a file, record
 * the client's consent to TLS only, the password PDF, or remove the recipient. Every change goes to main
 * and the plan is asked again; nothing here decides the protection.
 */
export function Resolver({
  address,
  entry,
  keys,
  onChanged,
  onRemove,
  onClose,
}: {
  address: string
  entry: RecipientPlanView | undefined
  keys: KeySummary[]
  onChanged: () => void
  onRemove: () => void
  onClose: () => void
}) {
  const { lang, t } = useI18n()
  const state = chipStateOf(entry)
  const found = keys.filter((k) => k.emails.includes(address))
  const lookup = useAction()
  const consent = useAction()
  const [offered, setOffered] = useState<KeySummary[] | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const [importing, setImporting] = useState(false)
  const [panel, setPanel] = useState<'none' | 'consent' | 'container'>('none')
  const [by, setBy] = useState('')
  const [note, setNote] = useState('')

  const search = async (take: boolean) => {
    const result = await lookup.run(() => window.siegelpost.keysLookup({ address, take }))
    if (!result) return
    if (take) {
      setOffered(null)
      setDone(t('resolver.taken'))
      onChanged()
    } else setOffered(result.value.keys)
  }
  const record = async () => {
    const result = await consent.run(() =>
      window.siegelpost.policyConsent({
        address,
        channel: panel === 'container' ? 'container' : 'tls',
        by,
        ...(note.trim() ? { note } : {}),
      }),
    )
    if (result) {
      setPanel('none')
      setDone(t('resolver.consentRecorded'))
      onChanged()
    }
  }
  if (importing)
    return (
      <ImportWizard
        onClose={() => setImporting(false)}
        onImported={() => (setImporting(false), setDone(t('resolver.imported')), onChanged())}
      />
    )
  return (
    <Dialog title={t('resolver.title', { address })} onClose={onClose} wide>
      <p className={`resolver-state chip-${state}`} data-testid="resolver-state">
        <span className="chip-badge">
          <ChipIcon state={state} />
          {t(chipBadge[state])}
        </span>{' '}
        {chipTooltip(entry, t, lang)}
      </p>
      {entry && entry.protection !== 'blocked' && <p className="muted">{entry.reason.message[lang]}</p>}
      <h3>{t('resolver.found')}</h3>
      {found.length === 0 ? (
        <p className="empty">{t('resolver.none')}</p>
      ) : (
        <ul className="resolver-keys">
          {found.map((key) => (
            <li key={key.id} data-testid="resolver-key">
              <strong>{key.technology === 'smime' ? 'S/MIME' : 'OpenPGP'}</strong> · {key.name} ·{' '}
              {t(`resolver.status.${key.status}`)}
              {key.expires && ` · ${t('resolver.expires', { date: formatDate(key.expires, lang) })}`} ·{' '}
              {t(key.acceptance === 'verified' ? 'resolver.verified' : 'resolver.unverified')} · {t('resolver.source')}
              <Fingerprint value={key.fingerprint} caption />
            </li>
          ))}
        </ul>
      )}
      {/* The advice is about keys found: with none (and none offered online) it has nothing to refer to. */}
      {(found.length > 0 || (offered?.length ?? 0) > 0) && <p className="hint">{t('resolver.rogueKeyHint')}</p>}
      <OkNotice text={done} />
      {lookup.error && <ErrorNotice error={lookup.error} />}
      {consent.error && <ErrorNotice error={consent.error} />}
      {(lookup.busy || consent.busy) && <Busy />}
      {offered && offered.length === 0 && <Notice tone="info">{t('resolver.wkdNone')}</Notice>}
      {offered && offered.length > 0 && (
        <Notice tone="info" title={t('resolver.wkdFound')}>
          {offered.map((key) => (
            <p key={key.id}>
              {key.name} <Fingerprint value={key.fingerprint} />
            </p>
          ))}
          <p>{t('resolver.wkdTakeHint')}</p>
          <button type="button" className="primary" onClick={() => void search(true)} disabled={lookup.busy}>
            {t('resolver.wkdTake')}
          </button>
        </Notice>
      )}
      {panel !== 'none' && (
        <form
          className="resolver-form"
          onSubmit={(event) => {
            event.preventDefault()
            void record()
          }}
        >
          <p>{t(panel === 'container' ? 'resolver.containerExplain' : 'resolver.consentExplain')}</p>
          <label className="field">
            {t('resolver.consentBy')}
            <input type="text" value={by} onChange={(e) => setBy(e.target.value)} required />
          </label>
          <label className="field">
            {t('resolver.consentNote')}
            <input type="text" value={note} onChange={(e) => setNote(e.target.value)} />
          </label>
          <div className="actions">
            <button type="button" onClick={() => setPanel('none')}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="primary" disabled={consent.busy || by.trim() === ''}>
              {t('resolver.consentSave')}
            </button>
          </div>
        </form>
      )}
      <div className="resolver-actions">
        <button type="button" onClick={() => void search(false)} disabled={lookup.busy}>
          {t('resolver.wkd')}
        </button>
        <button type="button" onClick={() => setImporting(true)}>
          {t('resolver.import')}
        </button>
        <button type="button" onClick={() => setPanel('container')}>
          {t('resolver.container')}
        </button>
        <button type="button" onClick={() => setPanel('consent')}>
          {t('resolver.consent')}
        </button>
        <button type="button" className="danger" onClick={onRemove}>
          {t('resolver.remove')}
        </button>
      </div>
      <div className="actions">
        <button type="button" className="primary" onClick={onClose}>
          {t('resolver.close')}
        </button>
      </div>
    </Dialog>
  )
}
