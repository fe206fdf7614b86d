import { Page } from '../components'
import { useI18n } from '../i18n'
import { MailReader } from '../mail/reader'

export function InboxPage() {
  const { t } = useI18n()
  return (
    <Page title={t('inbox.title')}>
      <p className="empty">{t('inbox.empty')}</p>
      <MailReader />
    </Page>
  )
}
