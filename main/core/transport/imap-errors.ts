import { SiegelpostError } from '../errors/index.ts'
import type { Account } from './account.ts'
import { networkFailureOf, tlsFailureOf } from './tls-policy.ts'

/** An IMAP failure (imapflow's, a socket's or a TLS handshake's) as the user's reason. */
export function classifyImapError(error: unknown, account: Account): SiegelpostError {
  const endpoint = account.imap
  const where = { host: endpoint.host, port: endpoint.port }
  const e = error as {
    tlsFailed?: boolean
    code?: string
    authenticationFailed?: boolean
    message?: string
    responseText?: string
  }
  if (e.code === 'STARTTLS_INJECTION') return new SiegelpostError('TLS_STARTTLS_INJECTION', where, { cause: error })
  const tls = tlsFailureOf(error, endpoint, '--imap-security')
  if (tls) return tls
  if (e.tlsFailed) return new SiegelpostError('TLS_STARTTLS_MISSING', where, { cause: error })
  if (e.authenticationFailed) return new SiegelpostError('IMAP_AUTH_FAILED', { host: endpoint.host }, { cause: error })
  const network = networkFailureOf(error)
  const detail = (network ?? e.responseText ?? e.code ?? e.message ?? 'error')
    .replace(/[^\x20-\x7e]+/g, ' ')
    .slice(0, 200)
  return new SiegelpostError('IMAP_FAILED', { ...where, detail }, { cause: error })
}
