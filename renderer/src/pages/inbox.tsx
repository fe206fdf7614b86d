import { Page } from '../components'
import { useI18n } from '../i18n'
import { InboxView } from '../mail/inbox-view'

export function InboxPage() {
  const { t } = useI18n()
  return (
    <Page title={t('inbox.title')}>
      <InboxView />
    </Page>
  )
}
