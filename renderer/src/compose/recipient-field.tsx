import { useState, type KeyboardEvent } from 'react'
import type { RecipientPlanView } from '../../../preload/contract'
import { useI18n, type MessageKey } from '../i18n'
import { ChipIcon } from './chip-icon'
import { chipBadge, chipStateOf, chipTooltip } from './chip-state'

/** A chip: the address, its protection as icon + words, click for the resolver, × to remove. */
export function Chip({
  address,
  entry,
  onOpen,
  onRemove,
  preview,
}: {
  address: string
  entry: RecipientPlanView | undefined
  onOpen?: () => void
  onRemove?: () => void
  preview?: boolean
}) {
  const { lang, t } = useI18n()
  const state = chipStateOf(entry)
  const tooltip = chipTooltip(entry, t, lang)
  return (
    <li
      className={`chip chip-${state}${preview ? ' chip-preview' : ''}`}
      data-testid="chip"
      data-state={state}
      data-address={address}
    >
      {onOpen ? (
        <button type="button" className="chip-main" title={tooltip} onClick={onOpen}>
          <span className="chip-address">{address}</span>
          <span className="chip-badge">
            <ChipIcon state={state} />
            {t(chipBadge[state])}
          </span>
          <span className="visually-hidden">
            {' '}
            – {tooltip}. {t('chip.openHint')}
          </span>
        </button>
      ) : (
        <span className="chip-main" title={tooltip}>
          <span className="chip-address">{address}</span>
          <span className="chip-badge">
            <ChipIcon state={state} />
            {t(chipBadge[state])}
          </span>
          <span className="visually-hidden"> – {tooltip}</span>
        </span>
      )}
      {onRemove && (
        <button type="button" className="chip-remove" onClick={onRemove} aria-label={t('chip.remove', { address })}>
          <span aria-hidden="true">×</span>
        </button>
      )}
    </li>
  )
}

const splitter = /[,;\s]+/

/**
 * To, Cc or Bcc: the chips of the addresses entered, and a text field that turns what is typed into a
 * chip on Enter, comma, semicolon or when it loses focus. While typing, a preview chip shows the
 * state the typed address would get (`onTyping` asks main for the plan).
 */
export function RecipientField({
  field,
  label,
  addresses,
  plan,
  typed,
  suggestions,
  onChange,
  onTyping,
  onOpen,
}: {
  field: 'to' | 'cc' | 'bcc'
  label: MessageKey
  addresses: string[]
  plan: Map<string, RecipientPlanView>
  typed: string
  suggestions: string
  onChange: (addresses: string[]) => void
  onTyping: (text: string) => void
  onOpen: (address: string) => void
}) {
  const { t } = useI18n()
  const [focused, setFocused] = useState(false)
  const commit = (text: string) => {
    const added = text
      .split(splitter)
      .map((a) => a.trim().toLowerCase())
      .filter((a) => a !== '' && !addresses.includes(a))
    if (added.length > 0) onChange([...addresses, ...added])
    onTyping('')
  }
  const onKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if ((event.key === 'Enter' || event.key === ',' || event.key === ';') && typed.trim() !== '') {
      event.preventDefault()
      commit(typed)
    } else if (event.key === 'Backspace' && typed === '' && addresses.length > 0) {
      onChange(addresses.slice(0, -1))
    }
  }
  const pending = typed.trim().toLowerCase()
  const inputId = `compose-${field}`
  return (
    <div className={`recipient-row${focused ? ' focused' : ''}`}>
      <label htmlFor={inputId} className="recipient-label">
        {t(label)}
      </label>
      <ul className="chips" aria-label={t('chip.list', { field: t(label) })}>
        {addresses.map((address) => (
          <Chip
            key={address}
            address={address}
            entry={plan.get(address)}
            onOpen={() => onOpen(address)}
            onRemove={() => onChange(addresses.filter((a) => a !== address))}
          />
        ))}
        {pending.includes('@') && <Chip address={pending} entry={plan.get(pending)} preview />}
        <li className="chip-input">
          <input
            id={inputId}
            type="text"
            inputMode="email"
            autoComplete="off"
            list={suggestions}
            value={typed}
            placeholder={addresses.length === 0 ? t('compose.recipientPlaceholder') : ''}
            onChange={(event) => {
              const text = event.target.value
              // A pasted list or a picked suggestion followed by a separator becomes chips at once.
              if (/[,;]/.test(text)) commit(text)
              else onTyping(text)
            }}
            onKeyDown={onKey}
            onFocus={() => setFocused(true)}
            onBlur={() => {
              setFocused(false)
              if (typed.trim() !== '') commit(typed)
            }}
          />
        </li>
      </ul>
    </div>
  )
}
