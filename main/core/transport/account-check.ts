import { SiegelpostError } from '../errors/index.ts'
import type { Account } from './account.ts'
import { openImap } from './imap-session.ts'
import type { Reason } from './outbox.ts'
import { NotSentError, openSmtp, sanitizeReply, step } from './smtp-submit.ts'
import type { TlsInfo } from './tls-policy.ts'

/**
 * `accounts test` (CLI) and `accounts:test` (app): connect to both servers with the account's Zwangs-TLS
 * settings and log in. Nothing is sent. A refusal is a result with its specific reason, not an exception,
 * so the user sees what SMTP and IMAP each said.
 */
export type EndpointCheck = { ok: true; tls: TlsInfo } | { ok: false; reason: Reason }
export interface AccountCheck {
  account: string
  smtp: EndpointCheck & { requiretls?: boolean }
  imap: EndpointCheck
}

const failure = (error: unknown): { ok: false; reason: Reason } => {
  const reason = error instanceof NotSentError ? error.reason : error instanceof SiegelpostError ? error : null
  if (!reason) throw error
  return { ok: false, reason: { code: reason.code, params: reason.params } }
}

export async function checkAccount(account: Account, password: string): Promise<AccountCheck> {
  const smtp = await (async () => {
    const session = await openSmtp(account)
    try {
      await step(session.connection, (done) =>
        session.connection.login({ user: account.user, pass: password }, (error) => done(error)),
      )
      return { ok: true as const, tls: session.tls, requiretls: session.extensions.includes('REQUIRETLS') }
    } catch (error) {
      const reply = sanitizeReply(String((error as { response?: string }).response ?? 'AUTH'))
      throw new NotSentError(new SiegelpostError('SMTP_AUTH_FAILED', { host: account.smtp.host, reply }))
    } finally {
      session.connection.quit()
      session.connection.close()
    }
  })().catch(failure)
  const imap = await (async () => {
    const session = await openImap(account, password)
    await session.client.logout().catch(() => session.client.close())
    return { ok: true as const, tls: session.tls }
  })().catch(failure)
  return { account: account.name, smtp, imap }
}
