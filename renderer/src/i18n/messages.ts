import de from './de.json' with { type: 'json' }
import en from './en.json' with { type: 'json' }

export type Lang = 'de' | 'en'
export type MessageKey = keyof typeof de

/**
 * Every UI string comes from these files; a test fails when a key is missing in either. Plain data
 * and one function, so the end-to-end tests read the same texts the UI shows.
 */
export const messages: Record<Lang, Record<MessageKey, string>> = { de, en }

export function translate(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  return messages[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  )
}
