import { ErrorNotice, Page } from '../components'
import { useI18n, type MessageKey } from '../i18n'
import { useCall } from '../use-call'

/** Fingerprints in groups of four, as users compare them on the phone. */
const grouped = (fingerprint: string) => fingerprint.match(/.{1,4}/g)?.join(' ') ?? fingerprint

export function KeysPage() {
  const { t } = useI18n()
  const [keys, reloadKeys] = useCall(() => window.siegelpost.keysList())
  const [vault, reloadVault] = useCall(() => window.siegelpost.vaultStatus())
  return (
    <Page title={t('keys.title')}>
      {vault.state === 'failed' && <ErrorNotice error={vault.error} onRetry={() => (reloadVault(), reloadKeys())} />}
      {vault.state === 'done' && (
        <p className="vault-line" data-testid="vault-line">
          {t(vault.value.mode === 'keychain' ? 'vault.protectedByKeychain' : 'vault.protectedByPassphrase')}
        </p>
      )}
      {keys.state === 'loading' && <p>{t('keys.loading')}</p>}
      {keys.state === 'failed' && vault.state !== 'failed' && <ErrorNotice error={keys.error} onRetry={reloadKeys} />}
      {keys.state === 'done' && keys.value.length === 0 && <p className="empty">{t('keys.empty')}</p>}
      {keys.state === 'done' && keys.value.length > 0 && (
        <>
          <p>{t('keys.count', { count: keys.value.length })}</p>
          <table className="keys">
            <thead>
              <tr>
                <th>{t('keys.col.name')}</th>
                <th>{t('keys.col.emails')}</th>
                <th>{t('keys.col.technology')}</th>
                <th>{t('keys.col.fingerprint')}</th>
                <th>{t('keys.col.status')}</th>
              </tr>
            </thead>
            <tbody>
              {keys.value.map((key) => (
                <tr key={key.id}>
                  <td>{key.name}</td>
                  <td>{key.emails.join(', ')}</td>
                  <td>{key.technology === 'openpgp' ? 'OpenPGP' : 'S/MIME'}</td>
                  <td className="mono">{grouped(key.fingerprint)}</td>
                  <td>{t(`keys.status.${key.status}` as MessageKey)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Page>
  )
}
