import { useState } from 'react'
import { useI18n, type MessageKey } from './i18n'
import { ComposePage } from './pages/compose'
import { InboxPage } from './pages/inbox'
import { KeysPage } from './pages/keys'
import { SettingsPage } from './pages/settings'
import seal from './seal.svg'

const sections = [
  { id: 'inbox', label: 'nav.inbox', Page: InboxPage },
  { id: 'compose', label: 'nav.compose', Page: ComposePage },
  { id: 'keys', label: 'nav.keys', Page: KeysPage },
  { id: 'settings', label: 'nav.settings', Page: SettingsPage },
] as const satisfies readonly { id: string; label: MessageKey; Page: () => React.JSX.Element }[]

type SectionId = (typeof sections)[number]['id']

/** The app frame: brand bar, main navigation, and the current section. */
export function App() {
  const { t } = useI18n()
  const [current, setCurrent] = useState<SectionId>('inbox')
  const { Page } = sections.find((section) => section.id === current)!
  return (
    <div className="frame">
      <header className="brand">
        <img src={seal} alt="" width={28} height={28} />
        <span className="brand-name">{t('app.name')}</span>
        <span className="brand-tagline">{t('app.tagline')}</span>
      </header>
      <nav className="nav" aria-label={t('nav.label')}>
        <ul>
          {sections.map((section) => (
            <li key={section.id}>
              <button
                type="button"
                data-section={section.id}
                aria-current={section.id === current ? 'page' : undefined}
                onClick={() => setCurrent(section.id)}
              >
                {t(section.label)}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content">
        <Page />
      </main>
    </div>
  )
}
