import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type {
  AccountSummaryView,
  ComposePlanView,
  ComposeSendView,
  DraftFields,
  DraftSummary,
  KeySummary,
  RecipientPlanView,
  WireError,
} from '../../../preload/contract'
import { Busy, ErrorNotice, Notice } from '../components'
import { ReplyQuote } from './reply-quote'
import { useI18n } from '../i18n'
import { settle, useAction } from '../use-call'
import { Attachments } from './attachments'
import { rankOf, sendKindOf, subjectInClear } from './chip-state'
import { RecipientField } from './recipient-field'
import { Resolver } from './resolver'
import { SendConfirm, SendPanel, SendResult } from './send-panel'
import { SignatureEditor } from './signature-editor'
import { defaultChoice, PasswordPanel } from './password-panel'
import type { ContainerChoice } from '../../../preload/container-password-contract'

/** The draft open in the composer, so a reload (or a crash) brings it back. */
export const currentDraftKey = 'siegelpost.compose.current'
/** Autosave interval: at most this much typing is lost when the app dies. */
const autosaveMs = 3000
const remember = (id: string | null) => {
  try {
    if (id) window.localStorage.setItem(currentDraftKey, id)
    else window.localStorage.removeItem(currentDraftKey)
  } catch {
    // Without storage the draft is still in the list of drafts.
  }
}
const remembered = () => {
  try {
    return window.localStorage.getItem(currentDraftKey)
  } catch {
    return null
  }
}

const emptyFields = (account: AccountSummaryView | undefined, signature: string): DraftFields => ({
  account: account?.name ?? null,
  from: account?.email ?? '',
  to: [],
  cc: [],
  bcc: [],
  subject: '',
  body: signature ? `\n\n-- \n${signature}` : '',
  sign: true,
})

const go = (section: string) => window.dispatchEvent(new CustomEvent('siegelpost:navigate', { detail: { section } }))

/**
 * The composer (UI.md §3): sender, To/Cc/Bcc with a chip per recipient that shows its protection while
 * typing, subject (with the warning when it travels in clear), text, attachments, the summary line and
 * a send button that says what will happen. Main decides each recipient's protection (compose:plan) and
 * sends (compose:send); the draft is saved sealed every few seconds and when the window loses focus.
 */
export function Composer({ openId, onSaved }: { openId: string | null; onSaved: () => void }) {
  const { t } = useI18n()
  const [accounts, setAccounts] = useState<AccountSummaryView[] | null>(null)
  const [keys, setKeys] = useState<KeySummary[]>([])
  const [suggestions, setSuggestions] = useState<string[]>([])
  const [draftId, setDraftId] = useState<string | null>(null)
  const [fields, setFields] = useState<DraftFields | null>(null)
  const [attachments, setAttachments] = useState<DraftSummary['attachments']>([])
  const [reply, setReply] = useState<DraftSummary['reply']>(undefined)
  const [typed, setTyped] = useState({ to: '', cc: '', bcc: '' })
  const [plan, setPlan] = useState<ComposePlanView | null>(null)
  const [checking, setChecking] = useState(false)
  const [planError, setPlanError] = useState<WireError | null>(null)
  const [planRound, setPlanRound] = useState(0)
  const [resolving, setResolving] = useState<string | null>(null)
  const [confirming, setConfirming] = useState(false)
  const [result, setResult] = useState<ComposeSendView | null>(null)
  const [savedAt, setSavedAt] = useState<string | null>(null)
  const [showCc, setShowCc] = useState(false)
  // Per container recipient: generated or standing password (never stored in the draft).
  const [passwordChoices, setPasswordChoices] = useState<Record<string, ContainerChoice>>({})
  const dirty = useRef(false)
  const saving = useRef<Promise<string | null> | null>(null)
  const latest = useRef({ draftId, fields })
  latest.current = { draftId, fields }
  const send = useAction()
  const load = useAction()

  const loadKeys = useCallback(async () => {
    const listed = await settle(window.siegelpost.keysList())
    if (listed.ok) setKeys(listed.value)
  }, [])

  // Accounts, keys and past correspondents; then the draft to restore, or a new one with the signature.
  useEffect(() => {
    void (async () => {
      const listed = await settle(window.siegelpost.accountsList())
      const list = listed.ok ? listed.value : []
      setAccounts(list)
      await loadKeys()
      const outbox = await settle(window.siegelpost.outboxList())
      const own = new Set(list.map((a) => a.email))
      const known = new Set<string>()
      if (outbox.ok) for (const entry of outbox.value) for (const r of entry.recipients) if (!own.has(r)) known.add(r)
      setSuggestions([...known])
      const id = openId ?? remembered()
      if (id) {
        const draft = await load.run(() => window.siegelpost.draftsLoad({ id }))
        if (draft) {
          const { account, from, to, cc, bcc, subject, body, sign } = draft.value
          setDraftId(draft.value.id)
          setFields({
            account: account ?? list[0]?.name ?? null,
            from: from || (list[0]?.email ?? ''),
            to,
            cc,
            bcc,
            subject,
            body,
            sign,
          })
          setAttachments(draft.value.attachments)
          setReply(draft.value.reply)
          setShowCc(cc.length + bcc.length > 0)
          remember(draft.value.id)
          return
        }
        remember(null)
      }
      const signature = list[0] ? await settle(window.siegelpost.composeSignature({ account: list[0].name })) : null
      setFields(emptyFields(list[0], signature?.ok ? signature.value.text : ''))
    })()
    // Runs once per opened draft.
  }, [openId])

  const save = useCallback(async (): Promise<string | null> => {
    const { draftId: id, fields: current } = latest.current
    if (!current) return id
    if (saving.current) await saving.current
    if (!dirty.current && id) return id
    dirty.current = false
    const run = (async () => {
      const saved = await settle(window.siegelpost.draftsSave({ id: latest.current.draftId, fields: current }))
      if (!saved.ok) {
        dirty.current = true
        return latest.current.draftId
      }
      setDraftId(saved.value.id)
      latest.current.draftId = saved.value.id
      remember(saved.value.id)
      setSavedAt(new Date().toLocaleTimeString())
      onSaved()
      return saved.value.id
    })()
    saving.current = run
    const id2 = await run
    saving.current = null
    return id2
  }, [onSaved])

  // Autosave every few seconds while something changed, and when the window loses focus.
  useEffect(() => {
    const timer = window.setInterval(() => dirty.current && void save(), autosaveMs)
    const onBlur = () => dirty.current && void save()
    window.addEventListener('blur', onBlur)
    return () => {
      window.clearInterval(timer)
      window.removeEventListener('blur', onBlur)
    }
  }, [save])

  const update = (change: Partial<DraftFields>) => {
    dirty.current = true
    setFields((f) => (f ? { ...f, ...change } : f))
  }

  // The plan for every recipient entered and the address being typed: main's decision, asked while typing.
  const asked = useMemo(() => {
    if (!fields) return null
    const withTyped = (list: string[], text: string) => {
      const pending = text.trim().toLowerCase()
      return pending.includes('@') && !list.includes(pending) ? [...list, pending] : list
    }
    return {
      account: fields.account,
      to: withTyped(fields.to, typed.to),
      cc: withTyped(fields.cc, typed.cc),
      bcc: withTyped(fields.bcc, typed.bcc),
    }
  }, [fields?.account, fields?.to, fields?.cc, fields?.bcc, typed])
  useEffect(() => {
    if (!asked) return
    if (asked.to.length + asked.cc.length + asked.bcc.length === 0) {
      setPlan(null)
      setChecking(false)
      return
    }
    setChecking(true)
    let live = true
    const timer = window.setTimeout(() => {
      void settle(window.siegelpost.composePlan(asked)).then((answer) => {
        if (!live) return
        setChecking(false)
        setPlanError(answer.ok ? null : answer.error)
        if (answer.ok) setPlan(answer.value)
      })
    }, 250)
    return () => {
      live = false
      window.clearTimeout(timer)
    }
  }, [asked, planRound])

  // No silent downgrade: the best protection each recipient (and the whole mail) had in this session.
  const best = useRef(new Map<string, number>())
  const wasAllEndToEnd = useRef(false)
  const committed = useMemo(() => {
    if (!plan || !fields) return null
    const entered = new Set([...fields.to, ...fields.cc, ...fields.bcc])
    const recipients = plan.recipients.filter((r) => entered.has(r.address))
    return { ...plan, recipients }
  }, [plan, fields])
  const downgraded: RecipientPlanView[] = useMemo(() => {
    if (!committed) return []
    const lowered = committed.recipients.filter(
      (r) =>
        r.protection !== 'blocked' &&
        (rankOf(r.protection) < (best.current.get(r.address) ?? 0) ||
          (wasAllEndToEnd.current && rankOf(r.protection) < 3)),
    )
    for (const r of committed.recipients)
      best.current.set(r.address, Math.max(best.current.get(r.address) ?? 0, rankOf(r.protection)))
    if (sendKindOf(committed) === 'encrypted') wasAllEndToEnd.current = true
    return lowered
  }, [committed])
  const byAddress = useMemo(() => new Map((plan?.recipients ?? []).map((r) => [r.address, r])), [plan])

  const start = async () => {
    const id = await save()
    if (!id) return
    setConfirming(false)
    const containers = committed?.recipients.filter((r) => r.protection === 'container') ?? []
    const passwords = Object.fromEntries(
      containers.map((r) => [r.address, passwordChoices[r.address] ?? defaultChoice(r)]),
    )
    const sent = await send.run(() => window.siegelpost.composeSend({ id, passwords }))
    if (sent) {
      remember(null)
      setResult(sent.value)
      onSaved()
    }
  }
  const onSend = () => {
    // Only on a plan that covers every recipient as entered now (never on one from before the last change).
    const entered = fields ? [...fields.to, ...fields.cc, ...fields.bcc] : []
    if (checking || entered.some((address) => !committed?.recipients.some((r) => r.address === address))) return
    const kind = sendKindOf(committed)
    if (kind === 'mixed' || kind === 'tls' || kind === 'container' || downgraded.length > 0) setConfirming(true)
    else void start()
  }
  const reset = async () => {
    // The new form appears at once, complete: never the sent mail's fields under a new draft.
    const account = accounts?.find((a) => a.name === fields?.account) ?? accounts?.[0]
    const signature = account ? await settle(window.siegelpost.composeSignature({ account: account.name })) : null
    remember(null)
    best.current.clear()
    wasAllEndToEnd.current = false
    dirty.current = false
    setDraftId(null)
    setAttachments([])
    setPlan(null)
    setTyped({ to: '', cc: '', bcc: '' })
    setPasswordChoices({})
    setFields(emptyFields(account, signature?.ok ? signature.value.text : ''))
    setResult(null)
  }

  if (result) return <SendResult result={result} onOutbox={() => go('outbox')} onNew={() => void reset()} />
  if (!fields || accounts === null) return load.error ? <ErrorNotice error={load.error} /> : <Busy />
  const removeRecipient = (address: string) =>
    update({
      to: fields.to.filter((a) => a !== address),
      cc: fields.cc.filter((a) => a !== address),
      bcc: fields.bcc.filter((a) => a !== address),
    })
  const clear = subjectInClear(committed)
  const clearFor =
    committed?.recipients.filter((r) => r.protection === 'tls' || r.protection === 'container').map((r) => r.address) ??
    []
  const fieldProps = (field: 'to' | 'cc' | 'bcc') => ({
    field,
    addresses: fields[field],
    plan: byAddress,
    typed: typed[field],
    suggestions: 'compose-suggestions',
    onChange: (list: string[]) => update({ [field]: list }),
    onTyping: (text: string) => setTyped((old) => ({ ...old, [field]: text })),
    onOpen: setResolving,
  })
  return (
    <section className="composer" aria-label={t('compose.formLabel')}>
      {load.error && <ErrorNotice error={load.error} />}
      {accounts.length === 0 ? (
        <Notice tone="warning" testId="no-account">
          {t('compose.noAccount')}{' '}
          <button type="button" onClick={() => go('accounts')}>
            {t('compose.toAccounts')}
          </button>
        </Notice>
      ) : (
        <div className="recipient-row">
          <label htmlFor="compose-from" className="recipient-label">
            {t('compose.from')}
          </label>
          <select
            id="compose-from"
            value={fields.account ?? ''}
            onChange={(event) => {
              const account = accounts.find((a) => a.name === event.target.value)
              update({ account: account?.name ?? null, from: account?.email ?? '' })
            }}
          >
            {accounts.map((a) => (
              <option key={a.name} value={a.name}>
                {a.email} ({a.name})
              </option>
            ))}
          </select>
        </div>
      )}
      <datalist id="compose-suggestions">
        {[...new Set([...keys.filter((k) => !k.hasSecret).flatMap((k) => k.emails), ...suggestions])].map((address) => (
          <option key={address} value={address} />
        ))}
      </datalist>
      <RecipientField label="compose.to" {...fieldProps('to')} />
      {showCc ? (
        <>
          <RecipientField label="compose.cc" {...fieldProps('cc')} />
          <RecipientField label="compose.bcc" {...fieldProps('bcc')} />
        </>
      ) : (
        <p className="cc-toggle">
          <button type="button" className="link" onClick={() => setShowCc(true)}>
            {t('compose.showCc')}
          </button>
        </p>
      )}
      <PasswordPanel
        recipients={committed?.recipients.filter((r) => r.protection === 'container') ?? []}
        choices={passwordChoices}
        onChoose={(address, choice) => setPasswordChoices((old) => ({ ...old, [address]: choice }))}
      />
      <div className="recipient-row">
        <label htmlFor="compose-subject" className="recipient-label">
          {t('compose.subject')}
        </label>
        <input
          id="compose-subject"
          type="text"
          value={fields.subject}
          onChange={(event) => update({ subject: event.target.value })}
          aria-describedby="subject-hint"
        />
      </div>
      <p id="subject-hint" className={clear ? 'subject-hint warning' : 'subject-hint'} data-testid="subject-hint">
        {clear ? (
          <>
            <span aria-hidden="true">⚠ </span>
            {t('compose.subjectClear', { addresses: clearFor.join(', ') })}
          </>
        ) : committed && committed.recipients.length > 0 && sendKindOf(committed) === 'encrypted' ? (
          t('compose.subjectProtected')
        ) : null}
      </p>
      <label htmlFor="compose-body" className="visually-hidden">
        {t('compose.body')}
      </label>
      <textarea
        id="compose-body"
        className="compose-body"
        rows={8}
        value={fields.body}
        onChange={(event) => update({ body: event.target.value })}
      />
      {reply && <ReplyQuote reply={reply} />}
      <label className="sign-line">
        <input type="checkbox" checked={fields.sign} onChange={(event) => update({ sign: event.target.checked })} />{' '}
        {t('compose.sign')}
        <span className="muted"> – {t('compose.signHint')}</span>
      </label>
      <Attachments
        draftId={draftId}
        attachments={attachments}
        ensureDraft={async () => ((dirty.current = true), save())}
        onDraft={(draft) => (setAttachments(draft.attachments), onSaved())}
      />
      {fields.account && <SignatureEditor account={fields.account} />}
      {planError && <ErrorNotice error={planError} onRetry={() => setPlanRound((n) => n + 1)} />}
      <SendPanel plan={committed} checking={checking} downgraded={downgraded} busy={send.busy} onSend={onSend} />
      {send.busy && <Busy text={t('send.sending')} />}
      {send.error && <ErrorNotice error={send.error} />}
      <p className="muted autosave" aria-live="off" data-testid="autosave">
        {savedAt ? t('compose.savedAt', { time: savedAt }) : t('compose.autosave')}
      </p>
      {confirming && committed && (
        <SendConfirm
          plan={committed}
          downgraded={downgraded}
          onCancel={() => setConfirming(false)}
          onConfirm={() => void start()}
        />
      )}
      {resolving && (
        <Resolver
          address={resolving}
          entry={byAddress.get(resolving)}
          keys={keys}
          onChanged={() => (void loadKeys(), setPlanRound((n) => n + 1))}
          onRemove={() => (removeRecipient(resolving), setResolving(null))}
          onClose={() => setResolving(null)}
        />
      )}
    </section>
  )
}
