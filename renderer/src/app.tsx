import { useEffect, useState } from 'react'
import { useI18n, type MessageKey } from './i18n'
import { AccountsPage } from './pages/accounts'
import { ComposePage } from './pages/compose'
import { InboxPage } from './pages/inbox'
import { KeysPage } from './pages/keys'
import { MandantenPage } from './pages/mandanten'
import { OutboxPage } from './pages/outbox'
import { SettingsPage } from './pages/settings'
import seal from './seal.svg'
import { SetupWizard } from './setup/setup-wizard'

const setupKey = 'siegelpost.setup'
const setupDismissed = () => {
  try {
    return window.localStorage.getItem(setupKey) === 'later'
  } catch {
    return false
  }
}

const sections = [
  { id: 'inbox', label: 'nav.inbox', Page: InboxPage },
  { id: 'compose', label: 'nav.compose', Page: ComposePage },
  { id: 'outbox', label: 'nav.outbox', Page: OutboxPage },
  { id: 'clients', label: 'nav.clients', Page: MandantenPage },
  { id: 'keys', label: 'nav.keys', Page: KeysPage },
  { id: 'accounts', label: 'nav.accounts', Page: AccountsPage },
  { id: 'settings', label: 'nav.settings', Page: SettingsPage },
] as const satisfies readonly { id: string; label: MessageKey; Page: () => React.JSX.Element }[]

type SectionId = (typeof sections)[number]['id']

/** The preload's `siegelpostShell`: what main asks the window to show (preload/shell-events.ts). */
interface ShellBridge {
  onShowSection(run: (section: string) => void): () => void
}

/** The app frame: brand bar, main navigation, and the current section. */
export function App() {
  const { t } = useI18n()
  const [current, setCurrent] = useState<SectionId>('inbox')
  const { Page } = sections.find((section) => section.id === current)!
  const [setup, setSetup] = useState(false)
  const [round, setRound] = useState(0)
  // Another page asks to go somewhere (the key manager after "Als Entwurf teilen" opens Compose).
  useEffect(() => {
    const go = (event: Event) => {
      const section = (event as CustomEvent<{ section?: string }>).detail?.section
      if (sections.some((s) => s.id === section)) setCurrent(section as SectionId)
    }
    window.addEventListener('siegelpost:navigate', go)
    return () => window.removeEventListener('siegelpost:navigate', go)
  }, [])
  // Main asks for a section (a click on the new-mail notification opens the Posteingang).
  useEffect(() => {
    const shell = (window as unknown as { siegelpostShell?: ShellBridge }).siegelpostShell
    return shell?.onShowSection((section) => {
      if (sections.some((s) => s.id === section)) setCurrent(section as SectionId)
    })
  }, [])
  // First start: no own key yet and the user has not chosen "later".
  useEffect(() => {
    if (setupDismissed()) return
    void window.siegelpost
      .keysList()
      .then((result) => result.ok && !result.value.some((key) => key.hasSecret) && setSetup(true))
  }, [])
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
        <Page key={round} />
      </main>
      {setup && (
        <SetupWizard
          onClose={() => (setSetup(false), setRound((n) => n + 1))}
          onLater={() => {
            try {
              window.localStorage.setItem(setupKey, 'later')
            } catch {
              // Without storage the wizard simply returns at the next start.
            }
            setSetup(false)
          }}
        />
      )}
    </div>
  )
}
