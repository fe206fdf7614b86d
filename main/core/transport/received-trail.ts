import { readHeaderFields } from './message-headers.ts'

/**
 * The transport trail of a received message (`open --json` → `security.transport`): its Received
 * headers (RFC 5321 §4.4), newest first, each with the TLS evidence it carries — the `with` protocol
 * (RFC 3848: ESMTPS/ESMTPSA/LMTPS… mean TLS) and the notes Postfix, Exim and Sendmail add
 * ("using TLSv1.3 with cipher …", "(TLS1.3) tls …", "version=TLSv1.3 cipher=…").
 *
 * What it cannot promise: every server on the way can write any Received header it likes, and the
 * sender's own hops can be forged. Only the top hops, added by the recipient's own provider, are
 * trustworthy; `tls: "yes"` means "every hop that says how it was received says TLS".
 */
export interface TransportHop {
  from: string | null
  by: string | null
  with: string | null
  tls: boolean | null
  version: string | null
  cipher: string | null
  date: string | null
}

export interface TransportTrail {
  tls: 'yes' | 'no' | 'unknown'
  hops: TransportHop[]
}

const maxHops = 64
const tlsProtocols = /^(ESMTPS|ESMTPSA|LMTPS|LMTPSA|UTF8SMTPS|UTF8SMTPSA|UTF8LMTPS|UTF8LMTPSA|HTTPS)$/i
const plainProtocols = /^(SMTP|ESMTP|ESMTPA|UTF8SMTP|UTF8SMTPA|HTTP)$/i
// Hand-offs inside one host say nothing about the network.
const localProtocols = /^(LMTP|LMTPA|LOCAL|UTF8LMTP|UTF8LMTPA)$/i

function clause(text: string, keyword: string): string | null {
  return new RegExp(`(?:^|\\s)${keyword}\\s+([^\\s;()]+)`, 'i').exec(text)?.[1] ?? null
}

/** RFC 5322 comments (nested parentheses) hold the TLS notes, but must not be read as clauses. */
function withoutComments(text: string): string {
  let previous: string
  let current = text
  do {
    previous = current
    current = current.replace(/\([^()]*\)/g, ' ')
  } while (current !== previous)
  return current
}

export function parseReceived(value: string): TransportHop {
  const semicolon = value.lastIndexOf(';')
  const body = semicolon >= 0 ? value.slice(0, semicolon) : value
  const date = semicolon >= 0 ? value.slice(semicolon + 1).trim() || null : null
  const clauses = withoutComments(body)
  const withValue = clause(clauses, 'with')
  const version =
    /\b(?:using|version=)\s*(TLSv?1\.[0-3]|SSLv3)/i.exec(body)?.[1] ?? /\((TLS1\.[0-3])\)/i.exec(body)?.[1] ?? null
  const cipher =
    /\bcipher[= ]\s*([A-Z0-9_-]+)/i.exec(body)?.[1] ?? /\btls\s+([A-Z0-9_]+_[A-Z0-9_]+)/i.exec(body)?.[1] ?? null
  let tls: boolean | null = null
  if (version !== null || (withValue !== null && tlsProtocols.test(withValue))) tls = true
  else if (withValue !== null && plainProtocols.test(withValue)) tls = false
  else if (withValue !== null && localProtocols.test(withValue)) tls = null
  return { from: clause(clauses, 'from'), by: clause(clauses, 'by'), with: withValue, tls, version, cipher, date }
}

/** The trail from the Received header values, newest first (as they stand in the message). */
export function transportTrailOf(received: readonly string[]): TransportTrail {
  const hops = received.slice(0, maxHops).map(parseReceived)
  const known = hops.filter((hop) => hop.tls !== null)
  const tls = known.some((hop) => hop.tls === false) ? 'no' : known.length > 0 ? 'yes' : 'unknown'
  return { tls, hops }
}

export function parseTransportTrail(raw: Buffer): TransportTrail {
  return transportTrailOf(readHeaderFields(raw).get('received') ?? [])
}
