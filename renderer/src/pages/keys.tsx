import { useEffect, useState, type DragEvent } from 'react'
import type { KeySummary, Result } from '../../../preload/contract'
import { currentDraftKey } from '../compose/composer'
import { Busy, ErrorNotice, Notice, Page } from '../components'
import { useI18n, type MessageKey } from '../i18n'
import { BackupDialog } from '../keys/backup-dialog'
import { CsrDialog } from '../keys/csr-dialog'
import { DeleteDialog } from '../keys/delete-dialog'
import { Fingerprint } from '../keys/fingerprint'
import { readFiles } from '../keys/import-state'
import { ImportWizard } from '../keys/import-wizard'
import { MissingIntermediate } from '../keys/key-cards'
import {
  formatDate,
  groupFingerprint,
  keyState,
  matchesFilter,
  matchesSearch,
  stateSymbol,
  stateText,
  type KeyFilter,
} from '../keys/key-state'
import { VerifyDialog } from '../keys/verify-dialog'
import { useAction, useCall } from '../use-call'

const filters: KeyFilter[] = ['all', 'own', 'others', 'openpgp', 'smime']
const technologyName = (key: KeySummary) => (key.technology === 'openpgp' ? 'OpenPGP' : 'S/MIME')

function StateBadge({ keyInfo, chainIncomplete = false }: { keyInfo: KeySummary; chainIncomplete?: boolean }) {
  const { t } = useI18n()
  const state = keyState(keyInfo, new Date(), chainIncomplete)
  return (
    <span className={`badge badge-${state}`}>
      <span aria-hidden="true">{stateSymbol[state]} </span>
      {t(stateText[state])}
    </span>
  )
}

function AcceptanceBadge({ keyInfo }: { keyInfo: KeySummary }) {
  const { t } = useI18n()
  const verified = keyInfo.acceptance === 'verified'
  return (
    <span className={verified ? 'badge badge-valid' : 'badge badge-unverified'}>
      <span aria-hidden="true">{verified ? '✓ ' : '? '}</span>
      {t(verified ? 'keys.acceptance.verified' : 'keys.acceptance.unverified')}
    </span>
  )
}

/** Key manager: own and others' keys and certificates in one list, with search, filter, details and actions. */
export function KeysPage() {
  const { lang, t } = useI18n()
  const [keys, reloadKeys] = useCall(() => window.siegelpost.keysList())
  const [vault, reloadVault] = useCall(() => window.siegelpost.vaultStatus())
  const [search, setSearch] = useState('')
  const [filter, setFilter] = useState<KeyFilter>('all')
  const [selected, setSelected] = useState<string | null>(null)
  const [dialog, setDialog] = useState<'import' | 'verify' | 'delete' | 'backup' | 'csr' | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const { busy, error: failure, run } = useAction()
  const [dropped, setDropped] = useState<Awaited<ReturnType<typeof readFiles>>>([])
  const [dragging, setDragging] = useState(false)
  const [missingIssuer, setMissingIssuer] = useState<string | null>(null)

  const all = keys.state === 'done' ? keys.value : []
  const shown = all.filter((key) => matchesSearch(key, search) && matchesFilter(key, filter))
  const current = all.find((key) => key.fingerprint === selected) ?? null
  // A certificate whose chain cannot be built says so in its details, with the fix.
  useEffect(() => {
    setMissingIssuer(null)
    if (!current || current.technology !== 'smime') return
    let live = true
    void window.siegelpost
      .keysChain({ id: current.fingerprint })
      .then((result) => live && result.ok && setMissingIssuer(result.value.missingIssuer))
    return () => {
      live = false
    }
  }, [current?.fingerprint, keys])
  // Files dropped anywhere on the key manager open the import wizard with them.
  const onDrop = (event: DragEvent) => {
    event.preventDefault()
    setDragging(false)
    if (dialog !== null || vault.state !== 'done' || event.dataTransfer.files.length === 0) return
    void readFiles(event.dataTransfer.files).then((files) => (setDropped(files), setDialog('import')))
  }
  const onDragOver = (event: DragEvent) => {
    if (dialog !== null || ![...event.dataTransfer.types].includes('Files')) return
    event.preventDefault()
    setDragging(true)
  }
  /** A key action that runs in main: its error shows above the list, `then` says what came of it. */
  const act =
    <T,>(call: () => Promise<Result<T>>, then: (value: T) => void) =>
    async () => {
      const done = await run(call)
      if (done) then(done.value)
    }
  const done = (message: MessageKey) => {
    setDialog(null)
    setNotice(t(message))
    reloadKeys()
    reloadVault()
  }

  return (
    <Page title={t('keys.title')}>
      <div
        className={dragging ? 'page-drop page-drop-active' : 'page-drop'}
        data-testid="keys-drop"
        onDragEnter={onDragOver}
        onDragOver={onDragOver}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        {dragging && (
          <Notice tone="info" role="status">
            {t('keys.dropToImport')}
          </Notice>
        )}
        {vault.state === 'failed' && <ErrorNotice error={vault.error} onRetry={() => (reloadVault(), reloadKeys())} />}
        {vault.state === 'done' && (
          <p className="vault-line" data-testid="vault-line">
            {t(vault.value.mode === 'keychain' ? 'vault.protectedByKeychain' : 'vault.protectedByPassphrase')}
          </p>
        )}
        <div className="toolbar">
          <label className="field">
            <span>{t('keys.search')}</span>
            <input
              type="search"
              value={search}
              placeholder={t('keys.searchPlaceholder')}
              onChange={(event) => setSearch(event.target.value)}
            />
          </label>
          <label className="field">
            <span>{t('keys.filter')}</span>
            <select value={filter} onChange={(event) => setFilter(event.target.value as KeyFilter)}>
              {filters.map((id) => (
                <option key={id} value={id}>
                  {t(`keys.filter.${id}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="primary"
            onClick={() => setDialog('import')}
            disabled={vault.state !== 'done'}
          >
            {t('keys.import')}
          </button>
          <button type="button" onClick={() => setDialog('csr')} disabled={vault.state !== 'done'}>
            {t('keys.csr')}
          </button>
        </div>
        {notice && <Notice tone="ok">{notice}</Notice>}
        {failure && <ErrorNotice error={failure} />}
        {busy && <Busy />}
        {keys.state === 'loading' && <p>{t('keys.loading')}</p>}
        {keys.state === 'failed' && vault.state !== 'failed' && <ErrorNotice error={keys.error} onRetry={reloadKeys} />}
        {keys.state === 'done' && all.length === 0 && <p className="empty">{t('keys.empty')}</p>}
        {all.length > 0 && (
          <div className="manager">
            <div className="key-list-wrap">
              <p className="count">{t(all.length === 1 ? 'keys.countOne' : 'keys.count', { count: all.length })}</p>
              {shown.length === 0 && <p className="empty">{t('keys.noMatch')}</p>}
              <ul className="key-list" aria-label={t('keys.listLabel')}>
                {shown.map((key) => (
                  <li key={`${key.technology}:${key.fingerprint}`}>
                    <button
                      type="button"
                      className="key-row"
                      aria-pressed={key.fingerprint === selected}
                      onClick={() => setSelected(key.fingerprint)}
                    >
                      <span className="key-row-name">
                        {key.name}
                        {key.hasSecret && <span className="tag">{t('keys.own')}</span>}
                        <span className="tag">{technologyName(key)}</span>
                      </span>
                      <span className="key-row-mail">{key.emails.join(', ')}</span>
                      <span className="key-row-meta">
                        <span className="mono">{groupFingerprint(key.fingerprint).slice(-19)}</span>
                        <StateBadge
                          keyInfo={key}
                          chainIncomplete={key.fingerprint === current?.fingerprint && missingIssuer !== null}
                        />
                        <AcceptanceBadge keyInfo={key} />
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            </div>
            <aside className="details" aria-labelledby="details-title">
              <h2 id="details-title">{t('keys.details.title')}</h2>
              {!current ? (
                <p className="empty">{t('keys.details.none')}</p>
              ) : (
                <>
                  <dl>
                    <dt>{t('keys.details.owner')}</dt>
                    <dd>{current.name}</dd>
                    <dt>{t('keys.col.emails')}</dt>
                    <dd>{current.emails.join(', ')}</dd>
                    <dt>{t('keys.col.technology')}</dt>
                    <dd>{technologyName(current)}</dd>
                    <dt>{t('keys.col.status')}</dt>
                    <dd>
                      <StateBadge keyInfo={current} chainIncomplete={missingIssuer !== null} />
                    </dd>
                    <dt>{t('keys.details.acceptance')}</dt>
                    <dd>
                      <AcceptanceBadge keyInfo={current} />
                    </dd>
                    <dt>{t('keys.details.created')}</dt>
                    <dd>{formatDate(current.created, lang)}</dd>
                    <dt>{t('keys.details.expires')}</dt>
                    <dd>{current.expires ? formatDate(current.expires, lang) : t('keys.details.never')}</dd>
                    <dt>{t('keys.details.usage')}</dt>
                    <dd>{current.usage.map((use) => t(`keys.usage.${use}` as MessageKey)).join(', ')}</dd>
                    <dt>{t('keys.details.private')}</dt>
                    <dd>{current.hasSecret ? t('keys.details.privateYes') : t('keys.details.privateNo')}</dd>
                  </dl>
                  <Fingerprint value={current.fingerprint} large caption />
                  {missingIssuer !== null && <MissingIntermediate issuer={missingIssuer} />}
                  <div className="actions">
                    {current.acceptance === 'unverified' && (
                      <button type="button" className="primary" onClick={() => setDialog('verify')}>
                        {t('keys.action.verify')}
                      </button>
                    )}
                    {current.hasSecret && (
                      <button type="button" onClick={() => setDialog('backup')}>
                        {t('keys.action.backup')}
                      </button>
                    )}
                    {current.hasSecret && current.technology === 'openpgp' && (
                      <button
                        type="button"
                        disabled={busy}
                        onClick={act(
                          () => window.siegelpost.keysRevocation({ id: current.fingerprint }),
                          (saved) =>
                            setNotice(
                              saved.saved ? t('keys.revocationSaved', { name: saved.fileName }) : t('backup.cancelled'),
                            ),
                        )}
                      >
                        {t('keys.action.revocation')}
                      </button>
                    )}
                    <button
                      type="button"
                      disabled={busy}
                      onClick={act(
                        () => window.siegelpost.keysExportPublic({ id: current.fingerprint }),
                        (saved) =>
                          setNotice(saved.saved ? t('keys.savedAs', { name: saved.fileName }) : t('backup.cancelled')),
                      )}
                    >
                      {t('keys.action.exportPublic')}
                    </button>
                    <button
                      type="button"
                      disabled={busy}
                      onClick={act(
                        () => window.siegelpost.keysCopyPublic({ id: current.fingerprint }),
                        () => setNotice(t('keys.copied')),
                      )}
                    >
                      {t('keys.action.copyPublic')}
                    </button>
                    {current.hasSecret && (
                      <button
                        type="button"
                        disabled={busy}
                        onClick={act(
                          () => window.siegelpost.keysShareDraft({ id: current.fingerprint, lang }),
                          ({ draftId }) => {
                            // The new draft opens in the composer (as a reply does), not only in the list below.
                            window.localStorage.setItem(currentDraftKey, draftId)
                            window.dispatchEvent(
                              new CustomEvent('siegelpost:navigate', { detail: { section: 'compose', draftId } }),
                            )
                          },
                        )}
                      >
                        {t('keys.action.shareDraft')}
                      </button>
                    )}
                    <button type="button" className="danger" onClick={() => setDialog('delete')}>
                      {t('keys.action.delete')}
                    </button>
                  </div>
                </>
              )}
            </aside>
          </div>
        )}
      </div>
      {dialog === 'import' && (
        <ImportWizard
          initialFiles={dropped}
          onClose={() => (setDialog(null), setDropped([]))}
          onImported={() => (reloadKeys(), reloadVault())}
        />
      )}
      {dialog === 'csr' && (
        <CsrDialog onClose={() => setDialog(null)} onCreated={() => (reloadKeys(), reloadVault())} />
      )}
      {dialog === 'backup' && current && <BackupDialog target={current} onClose={() => setDialog(null)} />}
      {dialog === 'verify' && current && (
        <VerifyDialog
          target={current}
          onClose={() => setDialog(null)}
          onVerified={() => done('verify.done')}
          onDelete={() => setDialog('delete')}
        />
      )}
      {dialog === 'delete' && current && (
        <DeleteDialog
          target={current}
          onClose={() => setDialog(null)}
          onDeleted={() => {
            setSelected(null)
            done('delete.done')
          }}
        />
      )}
    </Page>
  )
}
