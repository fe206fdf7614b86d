import type { RecipientPlanView } from '../../../preload/contract'
import type { ContainerChoice } from '../../../preload/container-password-contract'
import { useI18n, type MessageKey } from '../i18n'
import { formatDate } from '../keys/key-state'
import { ChipIcon } from './chip-icon'
import './password.css'

/** The choice a recipient gets until the sender picks: the client's standing password when one is kept. */
export const defaultChoice = (r: RecipientPlanView): ContainerChoice => (r.standingPassword ? 'standing' : 'generate')

const handedKey: Record<string, MessageKey> = {
  post: 'pwpanel.how.post',
  phone: 'pwpanel.how.phone',
  'in-person': 'pwpanel.how.in-person',
}

/**
 * The `PDF` chip's password panel (UI.md §3.3), inline under the recipients while any of them gets a password
 * PDF: per recipient, a password generated for this mail (shown once after sending) or the client's standing
 * password from the vault, where one is kept — said with when and how it was handed over. No password is
 * typed or shown here; nothing of it goes into the draft.
 */
export function PasswordPanel({
  recipients,
  choices,
  onChoose,
}: {
  recipients: RecipientPlanView[]
  choices: Readonly<Record<string, ContainerChoice>>
  onChoose: (address: string, choice: ContainerChoice) => void
}) {
  const { lang, t } = useI18n()
  if (recipients.length === 0) return null
  const standingText = (r: RecipientPlanView) => {
    const kept = r.standingPassword
    if (!kept) return t('pwpanel.standingNone')
    const how = kept.transmitted ? handedKey[kept.transmitted] : undefined
    return how && kept.transmittedOn
      ? t('pwpanel.standingHanded', { how: t(how), date: formatDate(kept.transmittedOn, lang) })
      : t('pwpanel.standingKept', { date: formatDate(kept.date, lang) })
  }
  return (
    <section className="password-panel" aria-labelledby="password-panel-title" data-testid="password-panel">
      <h2 id="password-panel-title">
        <ChipIcon state="container" /> {t('pwpanel.title')}
      </h2>
      <p>{t('pwpanel.intro', { count: recipients.length })}</p>
      <p id="password-generate-hint" className="hint">
        {t('pwpanel.generate')}: {t('pwpanel.generateHint')}
      </p>
      {recipients.map((r, i) => {
        const choice = choices[r.address] ?? defaultChoice(r)
        const name = `password-choice-${i}`
        return (
          <fieldset key={r.address} className="password-choice" data-testid="password-choice" data-address={r.address}>
            <legend>{r.address}</legend>
            <label className="choice">
              <input
                type="radio"
                name={name}
                value="generate"
                checked={choice === 'generate'}
                onChange={() => onChoose(r.address, 'generate')}
                aria-describedby="password-generate-hint"
              />{' '}
              {t('pwpanel.generate')}
            </label>
            <label className="choice">
              <input
                type="radio"
                name={name}
                value="standing"
                checked={choice === 'standing'}
                disabled={!r.standingPassword}
                onChange={() => onChoose(r.address, 'standing')}
                aria-describedby={`${name}-standing`}
              />{' '}
              {t('pwpanel.standing')}
            </label>
            <p id={`${name}-standing`} className="hint">
              {standingText(r)}
            </p>
          </fieldset>
        )
      })}
      <p className="password-never">
        <span aria-hidden="true">⚠ </span>
        {t('pwpanel.never')}
      </p>
    </section>
  )
}
