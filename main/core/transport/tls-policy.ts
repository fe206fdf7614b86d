import { createHash } from 'node:crypto'
import { isIP } from 'node:net'
import {
  checkServerIdentity,
  rootCertificates,
  type ConnectionOptions,
  type PeerCertificate,
  type TLSSocket,
} from 'node:tls'
import { SiegelpostError } from '../errors/index.ts'
import type { Account, Endpoint } from './account.ts'
import type { TlsInfo } from './tls-info.ts'

/**
 * The one place TLS settings for mail servers are made (Zwangs-TLS): TLS ≥ 1.2, the certificate chain
 * always checked (system roots plus the account's own CA), the host name always checked, and a pinned
 * leaf fingerprint checked on top. No option here or anywhere turns a check off.
 */
export function tlsOptionsFor(endpoint: Endpoint, account: Pick<Account, 'ca' | 'pin'>): ConnectionOptions {
  return {
    minVersion: 'TLSv1.2',
    rejectUnauthorized: true,
    ...(account.ca === null ? {} : { ca: [...rootCertificates, account.ca] }),
    ...(isIP(endpoint.host) === 0 ? { servername: endpoint.host } : {}),
    checkServerIdentity(host: string, cert: PeerCertificate) {
      const mismatch = checkServerIdentity(host, cert)
      if (mismatch) return mismatch
      if (account.pin !== null && leafFingerprint(cert) !== account.pin) {
        return Object.assign(new Error('certificate fingerprint does not match the pin'), {
          code: 'SIEGELPOST_PIN_MISMATCH',
        })
      }
      return undefined
    },
  }
}

export const leafFingerprint = (cert: PeerCertificate): string => createHash('sha256').update(cert.raw).digest('hex')

// The handshake's result is tls-info.ts's; the sessions name it by this file.
export type { TlsInfo } from './tls-info.ts'

const acceptedVersions = new Set(['TLSv1.2', 'TLSv1.3'])

/**
 * Checked after every connect, before any credential or message byte: the socket really is a TLS
 * socket, its chain was verified, the version is ≥ 1.2 and a pin (if any) matches. A library bug or a
 * future option that quietly skipped TLS would be caught here.
 */
export function verifyTlsSocket(socket: unknown, endpoint: Endpoint, account: Pick<Account, 'pin'>): TlsInfo {
  const where = { host: endpoint.host, port: endpoint.port }
  const tlsSocket = socket as Partial<TLSSocket> | null | undefined
  if (!tlsSocket || tlsSocket.encrypted !== true || typeof tlsSocket.getProtocol !== 'function') {
    throw new SiegelpostError('TLS_NOT_ESTABLISHED', { ...where, detail: 'no TLS socket' })
  }
  if (tlsSocket.authorized !== true) {
    throw new SiegelpostError('TLS_NOT_ESTABLISHED', {
      ...where,
      detail: String(tlsSocket.authorizationError ?? 'certificate not verified'),
    })
  }
  const version = tlsSocket.getProtocol() ?? ''
  if (!acceptedVersions.has(version)) throw new SiegelpostError('TLS_VERSION_TOO_OLD', where)
  const cert = tlsSocket.getPeerCertificate!(false)
  const fingerprint = leafFingerprint(cert)
  if (account.pin !== null && fingerprint !== account.pin) throw new SiegelpostError('TLS_CERT_PIN_MISMATCH', where)
  return {
    version,
    cipher: tlsSocket.getCipher!().name,
    subject: distinguishedName(cert.subject),
    issuer: distinguishedName(cert.issuer),
    fingerprint,
    validTo: new Date(cert.valid_to).toISOString(),
  }
}

function distinguishedName(parts: PeerCertificate['subject'] | undefined): string {
  if (!parts) return ''
  return Object.entries(parts)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`)
    .join(', ')
}

const certificateProblems: Record<
  string,
  | 'TLS_CERT_EXPIRED'
  | 'TLS_CERT_SELF_SIGNED'
  | 'TLS_CERT_UNKNOWN_ISSUER'
  | 'TLS_CERT_WRONG_HOST'
  | 'TLS_CERT_PIN_MISMATCH'
> = {
  CERT_HAS_EXPIRED: 'TLS_CERT_EXPIRED',
  CERT_NOT_YET_VALID: 'TLS_CERT_EXPIRED',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS_CERT_SELF_SIGNED',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS_CERT_UNKNOWN_ISSUER',
  UNABLE_TO_GET_ISSUER_CERT: 'TLS_CERT_UNKNOWN_ISSUER',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS_CERT_UNKNOWN_ISSUER',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS_CERT_UNKNOWN_ISSUER',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS_CERT_WRONG_HOST',
  SIEGELPOST_PIN_MISMATCH: 'TLS_CERT_PIN_MISMATCH',
}

/** The codes an error chain carries (nodemailer keeps the socket's code as `originalCode`, imapflow as `code`). */
function codesOf(error: unknown): string[] {
  const codes: string[] = []
  for (
    let e = error as { code?: unknown; originalCode?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 4;
    e = e.cause as typeof e, depth++
  ) {
    for (const value of [e.originalCode, e.code]) if (typeof value === 'string') codes.push(value)
  }
  return codes
}

/** A TLS-level failure as a specific reason, or null when the error is not about TLS. */
export function tlsFailureOf(
  error: unknown,
  endpoint: Endpoint,
  securityOption = '--smtp-security',
): SiegelpostError | null {
  const where = { host: endpoint.host, port: endpoint.port }
  const codes = codesOf(error)
  const message = error instanceof Error ? error.message : String(error)
  // Implicit TLS against a port that greets in plaintext (a STARTTLS port): say which setting fixes it.
  if (
    endpoint.security === 'tls' &&
    (codes.includes('ERR_SSL_WRONG_VERSION_NUMBER') || /wrong version number/i.test(message))
  ) {
    return new SiegelpostError('TLS_WRONG_MODE', { ...where, option: securityOption }, { cause: error })
  }
  for (const code of codes) {
    const problem = certificateProblems[code]
    if (problem) return new SiegelpostError(problem, where, { cause: error })
  }
  if (
    codes.some((code) => /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|WRONG_SSL_VERSION/.test(code)) ||
    /protocol version|unsupported protocol/i.test(message)
  ) {
    return new SiegelpostError('TLS_VERSION_TOO_OLD', where, { cause: error })
  }
  if (codes.some((code) => /^(CERT_|ERR_TLS_CERT|UNABLE_TO_|INVALID_CA|CERT_)/.test(code))) {
    return new SiegelpostError('TLS_CERT_INVALID', { ...where, detail: codes[0]! }, { cause: error })
  }
  if (codes.some((code) => code.startsWith('ERR_SSL_') || code === 'EPROTO')) {
    return new SiegelpostError(
      'TLS_NOT_ESTABLISHED',
      { ...where, detail: codes.find((c) => c.startsWith('ERR_SSL_')) ?? 'EPROTO' },
      { cause: error },
    )
  }
  return null
}

/** Network-level failures (refused, unreachable, timeout) keep the mail queued-and-held for a retry. */
/** A connection that never reached the server (refused, no route, no name, no answer): not the server's doing. */
export function unreachableOf(error: unknown): string | null {
  return (
    codesOf(error).find((code) =>
      /^(ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|CONNECT_TIMEOUT)$/.test(code),
    ) ?? null
  )
}

export function networkFailureOf(error: unknown): string | null {
  const codes = codesOf(error)
  return (
    codes.find((code) =>
      /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ETIMEOUT|EPIPE|ECONNECTION|ESOCKET|EDNS|NoConnection|CONNECT_TIMEOUT|GREETING_TIMEOUT)$/.test(
        code,
      ),
    ) ?? null
  )
}
