import { useState, type FormEvent } from 'react'
import type { ConsentRecordRequest, ConsentView, WeakPasswordReasonView } from '../../../preload/contract'
import { ActionFooter, Dialog, Notice } from '../components'
import { useI18n } from '../i18n'
import { useAction } from '../use-call'
import { channelHintKey, channelKey, recordedAt, transmittedKey, weakReasonKey } from './consent-text'

const channels = ['e2e', 'container', 'tls', 'plain'] as const
const transmissions = ['post', 'phone', 'in-person'] as const
const today = () => new Date().toISOString().slice(0, 10)

/**
 * Records a client's consent, or changes it (a new entry; the earlier ones stay in the register). For the
 * password PDF an optional standing password, typed twice; main checks it with the core and says why it
 * refuses one. The password leaves this form once and is cleared after every try.
 */
export function ConsentDialog({
  current,
  initialTarget = '',
  onClose,
  onSaved,
}: {
  /** The entry being changed; null records a new client. */
  current: ConsentView | null
  /** For a new client: the address to start with (e.g. from the composer's "Einwilligung erfassen…"). */
  initialTarget?: string
  onClose: () => void
  onSaved: (target: string) => void
}) {
  const { lang, t } = useI18n()
  const [target, setTarget] = useState(current?.address ?? initialTarget)
  const [channel, setChannel] = useState<ConsentView['channel']>(current?.channel ?? 'container')
  const [by, setBy] = useState('')
  const [note, setNote] = useState('')
  const [expires, setExpires] = useState(current?.expires?.slice(0, 10) ?? '')
  const hadPassword = current?.hasPassword === true
  const [keepPassword, setKeepPassword] = useState(hadPassword)
  const [password, setPassword] = useState('')
  const [repeat, setRepeat] = useState('')
  const [transmitted, setTransmitted] = useState<(typeof transmissions)[number] | ''>('')
  const [transmittedOn, setTransmittedOn] = useState(today())
  const [refused, setRefused] = useState<WeakPasswordReasonView | null>(null)
  const [mismatch, setMismatch] = useState(false)
  const { busy, error, run } = useAction()
  const isContainer = channel === 'container'
  const newPassword = isContainer && !keepPassword && password !== ''

  const save = async (event: FormEvent) => {
    event.preventDefault()
    setRefused(null)
    if (newPassword && password !== repeat) {
      setMismatch(true)
      return
    }
    setMismatch(false)
    const request: ConsentRecordRequest = {
      target: target.trim(),
      channel,
      by: by.trim(),
      ...(note.trim() ? { note: note.trim() } : {}),
      ...(expires ? { expires } : {}),
      ...(isContainer && keepPassword ? { keepPassword: true } : {}),
      ...(newPassword ? { password } : {}),
      ...(newPassword && transmitted ? { transmitted, transmittedOn } : {}),
    }
    const done = await run(() => window.siegelpost.consentRecord(request))
    setPassword('')
    setRepeat('')
    if (!done) return
    if (done.value.refused !== null) return setRefused(done.value.refused)
    onSaved(request.target.toLowerCase())
  }

  return (
    <Dialog title={t(current ? 'clients.change.title' : 'clients.record.title')} onClose={onClose} wide>
      <form className="consent-form" onSubmit={save}>
        {current && (
          <Notice tone="info">
            {t('clients.change.explain', {
              channel: t(channelKey[current.channel]),
              date: recordedAt(current.date, lang),
            })}
          </Notice>
        )}
        <div className="field">
          <label htmlFor="consent-target">{t('clients.field.target')}</label>
          <input
            id="consent-target"
            type="text"
            name="target"
            required
            maxLength={320}
            readOnly={current !== null}
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            aria-describedby="consent-target-hint"
          />
          <small id="consent-target-hint" className="hint">
            {t('clients.field.target.hint')}
          </small>
        </div>
        <fieldset className="consent-channels">
          <legend>{t('clients.field.channel')}</legend>
          {channels.map((value) => (
            <label key={value} className={value === channel ? 'choice-card selected' : 'choice-card'}>
              <input
                type="radio"
                name="channel"
                value={value}
                checked={value === channel}
                onChange={() => setChannel(value)}
              />
              <span>
                <strong>{t(channelKey[value])}</strong>
                <span className="hint">{t(channelHintKey[value])}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {(channel === 'tls' || channel === 'plain') && <Notice tone="warning">{t('clients.channel.readable')}</Notice>}
        {hadPassword && !isContainer && (
          <Notice tone="info" testId="password-will-delete">
            {t('clients.password.willDelete')}
          </Notice>
        )}
        {isContainer && (
          <fieldset className="standing-password">
            <legend>{t('clients.password.legend')}</legend>
            <p className="hint">{t('clients.password.explain')}</p>
            {hadPassword && (
              <label className="choice">
                <input
                  type="checkbox"
                  name="keep-password"
                  checked={keepPassword}
                  onChange={(e) => setKeepPassword(e.target.checked)}
                />
                {t('clients.password.keep')}
              </label>
            )}
            {!keepPassword && (
              <>
                <label className="field">
                  <span>{t('clients.password.new')}</span>
                  <input
                    type="password"
                    name="password"
                    autoComplete="new-password"
                    maxLength={1024}
                    value={password}
                    onChange={(e) => setPassword(e.target.value)}
                  />
                </label>
                <label className="field">
                  <span>{t('clients.password.repeat')}</span>
                  <input
                    type="password"
                    name="password-repeat"
                    autoComplete="new-password"
                    maxLength={1024}
                    value={repeat}
                    onChange={(e) => setRepeat(e.target.value)}
                  />
                </label>
                {mismatch && (
                  <Notice tone="error" testId="password-mismatch">
                    {t('clients.password.mismatch')}
                  </Notice>
                )}
                {refused && (
                  <Notice tone="error" title={t('clients.password.refused')} testId="password-refused" code={refused}>
                    <p>{t(weakReasonKey[refused])}</p>
                  </Notice>
                )}
                {password !== '' && (
                  <div className="transmission">
                    <label className="field">
                      <span>{t('clients.transmitted.how')}</span>
                      <select
                        name="transmitted"
                        required
                        value={transmitted}
                        onChange={(e) => setTransmitted(e.target.value as typeof transmitted)}
                      >
                        <option value="">{t('clients.transmitted.choose')}</option>
                        {transmissions.map((value) => (
                          <option key={value} value={value}>
                            {t(transmittedKey[value])}
                          </option>
                        ))}
                      </select>
                    </label>
                    <label className="field">
                      <span>{t('clients.transmitted.on')}</span>
                      <input
                        type="date"
                        name="transmitted-on"
                        required
                        value={transmittedOn}
                        onChange={(e) => setTransmittedOn(e.target.value)}
                      />
                    </label>
                  </div>
                )}
              </>
            )}
          </fieldset>
        )}
        <div className="consent-row">
          <label className="field">
            <span>{t('clients.field.by')}</span>
            <input type="text" name="by" required maxLength={200} value={by} onChange={(e) => setBy(e.target.value)} />
          </label>
          <label className="field">
            <span>{t('clients.field.expires')}</span>
            <input type="date" name="expires" value={expires} onChange={(e) => setExpires(e.target.value)} />
          </label>
        </div>
        <label className="field">
          <span>{t('clients.field.note')}</span>
          <textarea name="note" maxLength={1000} rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
        <ActionFooter error={error} busy={busy} onCancel={onClose} action={t('clients.save')} />
      </form>
    </Dialog>
  )
}
