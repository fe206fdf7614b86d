import { useState } from 'react'
import type { ConsentView } from '../../../preload/contract'
import { ConsentDialog } from '../clients/consent-dialog'
import { ConsentHistory, ConsentSummary } from '../clients/consent-entry'
import { channelKey, groupByClient, matchesSearch, type ClientEntry } from '../clients/consent-text'
import { ContainerDialog } from '../clients/container-dialog'
import '../clients/clients.css'
import { Busy, ErrorNotice, Notice, OkNotice, Page } from '../components'
import { useI18n } from '../i18n'
import { useAction, useCall } from '../use-call'

/** A rule for the address itself or its domain (a domain rule covers the domain's consent entry too). */
const ruleApplies = (ruleTargets: readonly string[], target: string) =>
  ruleTargets.some(
    (rule) => rule === target || (target.includes('@') && rule === target.slice(target.lastIndexOf('@') + 1)),
  )

/**
 * Mandanten: the consent register. Per client (address or domain) the channel agreed, who recorded it
 * and when, expiry, whether a standing password is kept and how it was handed over; every earlier entry
 * stays listed. Record or change a consent, print the agreement letter, export the register, and open a
 * received password PDF.
 */
export function MandantenPage() {
  const { lang, t } = useI18n()
  const [consents, reloadConsents] = useCall(() => window.siegelpost.consentList())
  // Rules requiring end-to-end encryption beat any consent: the page says so at the client concerned.
  const [policy, reloadPolicy] = useCall(() => window.siegelpost.policyShow())
  const reload = () => (reloadConsents(), reloadPolicy())
  const e2eRuleTargets =
    policy.state === 'done' ? policy.value.rules.filter((r) => r.require === 'e2e').map((r) => r.target) : []
  const [query, setQuery] = useState('')
  const [editing, setEditing] = useState<{ current: ConsentView | null } | null>(null)
  const [opening, setOpening] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  const { busy, error, run } = useAction()

  const saveFile = async (call: () => ReturnType<typeof window.siegelpost.consentExport>) => {
    setNotice(null)
    const done = await run(call)
    if (done?.value.saved) setNotice(t('clients.savedFile', { name: done.value.fileName }))
  }
  const clients: ClientEntry[] = consents.state === 'done' ? groupByClient(consents.value) : []
  const shown = clients.filter((entry) => matchesSearch(entry, query, (c) => t(channelKey[c.channel])))

  return (
    <Page title={t('clients.title')}>
      <p className="clients-intro">{t('clients.intro')}</p>
      <div className="toolbar clients-toolbar">
        <label className="field">
          <span>{t('clients.search')}</span>
          <input type="search" name="search" value={query} onChange={(e) => setQuery(e.target.value)} />
        </label>
        <button type="button" className="primary" onClick={() => (setNotice(null), setEditing({ current: null }))}>
          {t('clients.record')}
        </button>
        <button
          type="button"
          onClick={() => void saveFile(() => window.siegelpost.consentExport({ format: 'csv', lang }))}
          disabled={busy}
        >
          {t('clients.export.csv')}
        </button>
        <button
          type="button"
          onClick={() => void saveFile(() => window.siegelpost.consentExport({ format: 'pdf', lang }))}
          disabled={busy}
        >
          {t('clients.export.pdf')}
        </button>
        <button type="button" onClick={() => (setNotice(null), setOpening(true))}>
          {t('container.openButton')}
        </button>
      </div>
      <OkNotice text={notice} />
      {error && <ErrorNotice error={error} />}
      {busy && <Busy />}
      {consents.state === 'loading' && <Busy />}
      {consents.state === 'failed' && <ErrorNotice error={consents.error} onRetry={reload} />}
      {consents.state === 'done' && clients.length === 0 && <p className="empty">{t('clients.empty')}</p>}
      {consents.state === 'done' && clients.length > 0 && (
        <>
          <p className="count" role="status">
            {t('clients.count', { shown: shown.length, total: clients.length })}
          </p>
          <ul className="cards client-list" aria-label={t('clients.listLabel')}>
            {shown.map((entry) => (
              <li key={entry.target} className="card client-card" data-testid={`client-${entry.target}`}>
                <h2>{entry.target}</h2>
                {entry.current && <ConsentSummary consent={entry.current} />}
                {entry.current?.channel !== 'e2e' && ruleApplies(e2eRuleTargets, entry.target) && (
                  <Notice tone="warning" testId="e2e-rule">
                    {t('clients.e2eRule')}
                  </Notice>
                )}
                <ConsentHistory entry={entry} />
                <div className="actions">
                  <button
                    type="button"
                    onClick={() => void saveFile(() => window.siegelpost.consentLetter({ target: entry.target }))}
                    disabled={busy}
                  >
                    {t('clients.letter')}
                  </button>
                  <button
                    type="button"
                    className="primary"
                    onClick={() => (setNotice(null), setEditing({ current: entry.current }))}
                  >
                    {t('clients.change')}
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
      {editing && (
        <ConsentDialog
          current={editing.current}
          onClose={() => setEditing(null)}
          onSaved={(target) => {
            setEditing(null)
            setNotice(t('clients.saved', { target }))
            reload()
          }}
        />
      )}
      {opening && <ContainerDialog onClose={() => setOpening(false)} />}
    </Page>
  )
}
