import { Page } from '../components'
import { useI18n } from '../i18n'

export function ComposePage() {
  const { t } = useI18n()
  return (
    <Page title={t('compose.title')}>
      <p className="empty">{t('compose.notYet')}</p>
    </Page>
  )
}
