import { createContext, useContext, useMemo, useState, type ReactNode } from 'react'
import { translate, type Lang, type MessageKey } from './messages'

export { messages, translate, type Lang, type MessageKey } from './messages'

const storageKey = 'siegelpost.lang'

function initialLang(): Lang {
  try {
    return window.localStorage.getItem(storageKey) === 'en' ? 'en' : 'de'
  } catch {
    return 'de'
  }
}

interface I18n {
  lang: Lang
  setLang: (lang: Lang) => void
  t: (key: MessageKey, params?: Record<string, string | number>) => string
}

const I18nContext = createContext<I18n | null>(null)

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang)
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang: (next) => {
        setLangState(next)
        document.documentElement.lang = next
        try {
          window.localStorage.setItem(storageKey, next)
        } catch {
          // Storage may be unavailable; the choice then lasts for this session.
        }
      },
      t: (key, params) => translate(lang, key, params),
    }),
    [lang],
  )
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>
}

export function useI18n(): I18n {
  const context = useContext(I18nContext)
  if (!context) throw new Error('useI18n outside I18nProvider')
  return context
}
