import { ErrorNotice, Page } from '../components'
import { useI18n, type Lang } from '../i18n'
import { useCall } from '../use-call'
import { SecurityPatternSettings } from '../mail/security-pattern'

export function SettingsPage() {
  const { lang, setLang, t } = useI18n()
  const [info, reloadInfo] = useCall(() => window.siegelpost.appInfo())
  const [vault, reloadVault] = useCall(() => window.siegelpost.vaultStatus())
  return (
    <Page title={t('settings.title')}>
      <fieldset className="card">
        <legend>{t('settings.language')}</legend>
        {(['de', 'en'] as Lang[]).map((option) => (
          <label key={option} className="choice">
            <input type="radio" name="lang" value={option} checked={lang === option} onChange={() => setLang(option)} />
            {t(`settings.language.${option}`)}
          </label>
        ))}
      </fieldset>

      <SecurityPatternSettings />

      <div className="card">
        <h2>{t('vault.title')}</h2>
        {vault.state === 'failed' && <ErrorNotice error={vault.error} onRetry={reloadVault} />}
        {vault.state === 'done' && (
          <dl>
            <dt>{t('vault.path')}</dt>
            <dd className="mono">{vault.value.path}</dd>
            <dt>{t('vault.generation')}</dt>
            <dd>{vault.value.generation}</dd>
          </dl>
        )}
        {vault.state === 'done' && (
          <p>{t(vault.value.mode === 'keychain' ? 'vault.protectedByKeychain' : 'vault.protectedByPassphrase')}</p>
        )}
      </div>

      <div className="card">
        <h2>{t('settings.about')}</h2>
        {info.state === 'failed' && <ErrorNotice error={info.error} onRetry={reloadInfo} />}
        {info.state === 'done' && (
          <dl>
            <dt>{t('settings.version')}</dt>
            <dd data-testid="app-version">{info.value.version}</dd>
            <dt>{t('settings.runtime')}</dt>
            <dd>
              Node {info.value.runtime.node}
              {info.value.runtime.electron ? ` · Electron ${info.value.runtime.electron}` : ''}
            </dd>
          </dl>
        )}
      </div>
    </Page>
  )
}
