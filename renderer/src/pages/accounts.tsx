import { useState, type FormEvent } from 'react'
import type { AccountCheckView, AccountSummaryView, ReasonView } from '../../../preload/contract'
import { ActionFooter, Busy, ConfirmDialog, ErrorNotice, Notice, OkNotice, Page } from '../components'
import { useI18n, type MessageKey } from '../i18n'
import { useAction, useCall } from '../use-call'

type Security = 'tls' | 'starttls'
const securityText: Record<Security, MessageKey> = {
  tls: 'accounts.security.tls',
  starttls: 'accounts.security.starttls',
}

/** A reason from main in the user's language. */
export function ReasonText({ reason }: { reason: ReasonView }) {
  const { lang } = useI18n()
  return <span data-code={reason.code}>{reason.message[lang]}</span>
}

function CheckResult({ check }: { check: AccountCheckView }) {
  const { t } = useI18n()
  const rows = [
    { name: 'SMTP', result: check.smtp, requiretls: check.smtp.requiretls },
    { name: 'IMAP', result: check.imap, requiretls: null },
  ]
  return (
    <dl className="check-result" data-testid={`check-${check.account}`}>
      {rows.map(({ name, result, requiretls }) => (
        <div key={name}>
          <dt>
            <span aria-hidden="true">{result.ok ? '✓ ' : '✕ '}</span>
            {name}: {t(result.ok ? 'accounts.check.ok' : 'accounts.check.failed')}
          </dt>
          <dd>
            {result.tls && (
              <>
                {result.tls.version} · {result.tls.cipher}
                <br />
                {t('accounts.check.certificate', { subject: result.tls.subject, issuer: result.tls.issuer })}
                {requiretls !== null && (
                  <>
                    <br />
                    {t(requiretls ? 'accounts.check.requiretlsYes' : 'accounts.check.requiretlsNo')}
                  </>
                )}
              </>
            )}
            {result.reason && <ReasonText reason={result.reason} />}
          </dd>
        </div>
      ))}
    </dl>
  )
}

function AccountCard({ account, onRemoved }: { account: AccountSummaryView; onRemoved: () => void }) {
  const { t } = useI18n()
  const [removing, setRemoving] = useState(false)
  const [check, setCheck] = useState<AccountCheckView | null>(null)
  const { busy, error, run } = useAction()
  const test = async () => {
    setCheck(null)
    const done = await run(() => window.siegelpost.accountsTest({ name: account.name }))
    if (done) setCheck(done.value)
  }
  const endpoint = (e: AccountSummaryView['smtp']) => `${e.host}:${e.port} · ${t(securityText[e.security])}`
  return (
    <li className="card account-card">
      <h3>{account.name}</h3>
      <dl>
        <dt>{t('accounts.field.email')}</dt>
        <dd>{account.email}</dd>
        <dt>{t('accounts.field.user')}</dt>
        <dd>{account.user}</dd>
        <dt>SMTP</dt>
        <dd className="mono">{endpoint(account.smtp)}</dd>
        <dt>IMAP</dt>
        <dd className="mono">{endpoint(account.imap)}</dd>
        {(account.hasCa || account.pin) && (
          <>
            <dt>{t('accounts.trust')}</dt>
            <dd>
              {account.hasCa && <span className="tag">{t('accounts.ownCa')}</span>}{' '}
              {account.pin && <span className="tag">{t('accounts.pinned')}</span>}
            </dd>
          </>
        )}
      </dl>
      <div className="actions">
        <button type="button" onClick={() => setRemoving(true)} disabled={busy}>
          {t('accounts.remove')}
        </button>
        <button type="button" onClick={test} disabled={busy}>
          {t('accounts.test')}
        </button>
      </div>
      {busy && <Busy />}
      {error && <ErrorNotice error={error} />}
      {check && <CheckResult check={check} />}
      {removing && (
        <ConfirmDialog
          title={t('accounts.remove.title', { name: account.name })}
          confirm={t('accounts.remove.confirm')}
          run={() => window.siegelpost.accountsRemove({ name: account.name })}
          onClose={() => setRemoving(false)}
          onDone={onRemoved}
        >
          <Notice tone="warning">{t('accounts.remove.consequence')}</Notice>
        </ConfirmDialog>
      )}
    </li>
  )
}

interface EndpointForm {
  host: string
  port: string
  security: Security
}

function EndpointFields({
  legend,
  value,
  onChange,
  id,
}: {
  legend: string
  value: EndpointForm
  onChange: (next: EndpointForm) => void
  id: string
}) {
  const { t } = useI18n()
  return (
    <fieldset className="card">
      <legend>{legend}</legend>
      <label className="field">
        <span>{t('accounts.field.host')}</span>
        <input
          name={`${id}-host`}
          required
          value={value.host}
          onChange={(e) => onChange({ ...value, host: e.target.value })}
          autoComplete="off"
        />
      </label>
      <label className="field">
        <span>{t('accounts.field.port')}</span>
        <input
          name={`${id}-port`}
          required
          inputMode="numeric"
          pattern="[0-9]{1,5}"
          value={value.port}
          onChange={(e) => onChange({ ...value, port: e.target.value })}
        />
      </label>
      <label className="field">
        <span>{t('accounts.field.security')}</span>
        <select
          name={`${id}-security`}
          value={value.security}
          onChange={(e) => onChange({ ...value, security: e.target.value as Security })}
        >
          {(['tls', 'starttls'] as const).map((s) => (
            <option key={s} value={s}>
              {t(securityText[s])}
            </option>
          ))}
        </select>
      </label>
    </fieldset>
  )
}

/** The form: the password is held only until it is sent to main, then forgotten. */
function AddAccountForm({ onAdded, onCancel }: { onAdded: (name: string) => void; onCancel: () => void }) {
  const { t } = useI18n()
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [user, setUser] = useState('')
  const [password, setPassword] = useState('')
  const [smtp, setSmtp] = useState<EndpointForm>({ host: '', port: '465', security: 'tls' })
  const [imap, setImap] = useState<EndpointForm>({ host: '', port: '993', security: 'tls' })
  const [ca, setCa] = useState<{ fileName: string; text: string } | null>(null)
  const [pin, setPin] = useState('')
  const { busy, error, run } = useAction()
  const endpoint = (e: EndpointForm) => ({ host: e.host.trim(), port: Number(e.port), security: e.security })
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const done = await run(() =>
      window.siegelpost.accountsAdd({
        name: name.trim(),
        email: email.trim(),
        user: (user || email).trim(),
        password,
        smtp: endpoint(smtp),
        imap: endpoint(imap),
        ...(ca ? { ca: ca.text } : {}),
        ...(pin.trim() ? { pin: pin.trim() } : {}),
      }),
    )
    if (done) {
      setPassword('')
      onAdded(done.value.name)
    }
  }
  return (
    <form className="card account-form" onSubmit={submit} aria-labelledby="account-form-title">
      <h2 id="account-form-title">{t('accounts.add.title')}</h2>
      <Notice tone="info">{t('accounts.add.tlsOnly')}</Notice>
      <label className="field">
        <span>{t('accounts.field.name')}</span>
        <input name="name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="field">
        <span>{t('accounts.field.email')}</span>
        <input
          name="email"
          type="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          autoComplete="off"
        />
      </label>
      <label className="field">
        <span>{t('accounts.field.user')}</span>
        <input
          name="user"
          value={user}
          placeholder={email}
          onChange={(e) => setUser(e.target.value)}
          autoComplete="off"
        />
      </label>
      <label className="field">
        <span>{t('accounts.field.password')}</span>
        <input
          name="password"
          type="password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
        />
      </label>
      <p className="hint">{t('accounts.add.passwordHint')}</p>
      <EndpointFields id="smtp" legend={t('accounts.smtp')} value={smtp} onChange={setSmtp} />
      <EndpointFields id="imap" legend={t('accounts.imap')} value={imap} onChange={setImap} />
      <details>
        <summary>{t('accounts.add.selfHosted')}</summary>
        <label className="field">
          <span>{t('accounts.field.ca')}</span>
          <input
            name="ca"
            type="file"
            accept=".pem,.crt,.cer"
            onChange={async (e) => {
              const file = e.target.files?.[0]
              setCa(file ? { fileName: file.name, text: await file.text() } : null)
            }}
          />
        </label>
        <label className="field">
          <span>{t('accounts.field.pin')}</span>
          <input
            name="pin"
            className="mono"
            value={pin}
            onChange={(e) => setPin(e.target.value)}
            autoComplete="off"
            spellCheck={false}
          />
        </label>
      </details>
      <ActionFooter error={error} busy={busy} onCancel={onCancel} action={t('accounts.add.save')} />
    </form>
  )
}

/** REQUIRETLS: request when the server offers it (default), or hold mail when it does not. */
function RequireTlsSetting() {
  const { t } = useI18n()
  const [policy, reload] = useCall(() => window.siegelpost.policyShow())
  const { error, run } = useAction()
  const set = async (value: 'request' | 'require') => {
    await run(() => window.siegelpost.policySetRequiretls({ value }))
    reload()
  }
  return (
    <fieldset className="card">
      <legend>{t('accounts.policy.title')}</legend>
      <p>{t('accounts.policy.always')}</p>
      {policy.state === 'failed' && <ErrorNotice error={policy.error} onRetry={reload} />}
      {policy.state === 'done' &&
        (['request', 'require'] as const).map((value) => (
          <label key={value} className="choice">
            <input
              type="radio"
              name="requiretls"
              value={value}
              checked={policy.value.requiretls === value}
              onChange={() => void set(value)}
            />
            {t(value === 'request' ? 'accounts.policy.request' : 'accounts.policy.require')}
          </label>
        ))}
      {error && <ErrorNotice error={error} />}
    </fieldset>
  )
}

/** Konten: the mail accounts (TLS only), adding one, and checking the connection. */
export function AccountsPage() {
  const { t } = useI18n()
  const [accounts, reload] = useCall(() => window.siegelpost.accountsList())
  const [adding, setAdding] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  return (
    <Page title={t('accounts.title')}>
      <div className="toolbar">
        <button type="button" className="primary" onClick={() => (setAdding(true), setNotice(null))} disabled={adding}>
          {t('accounts.add')}
        </button>
      </div>
      <OkNotice text={notice} />
      {adding && (
        <AddAccountForm
          onCancel={() => setAdding(false)}
          onAdded={(name) => {
            setAdding(false)
            setNotice(t('accounts.added', { name }))
            reload()
          }}
        />
      )}
      {accounts.state === 'loading' && <Busy />}
      {accounts.state === 'failed' && <ErrorNotice error={accounts.error} onRetry={reload} />}
      {accounts.state === 'done' && accounts.value.length === 0 && !adding && (
        <p className="empty">{t('accounts.empty')}</p>
      )}
      {accounts.state === 'done' && accounts.value.length > 0 && (
        <ul className="cards" aria-label={t('accounts.listLabel')}>
          {accounts.value.map((account) => (
            <AccountCard
              key={account.name}
              account={account}
              onRemoved={() => (setNotice(t('accounts.removed', { name: account.name })), reload())}
            />
          ))}
        </ul>
      )}
      <RequireTlsSetting />
    </Page>
  )
}
