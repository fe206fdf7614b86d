import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app'
import { I18nProvider } from './i18n'
// The stylesheets by concept, in cascade order.
import './styles/base.css'
import './styles/keys.css'
import './styles/transport-drafts.css'
import './styles/composer.css'

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <App />
    </I18nProvider>
  </StrictMode>,
)
