import { expect } from 'vitest'
import type { Account } from '../../main/core/transport/account.ts'
import { imapCapability, type EastImapCase, type WireRecord } from './east-servers.ts'

/** A refusal a client that requires STARTTLS must end an EAST IMAP case with, or null for a TLS session. */
export type EastImapRefusal = 'TLS_STARTTLS_MISSING' | 'TLS_STARTTLS_INJECTION' | 'TLS_NOT_ESTABLISHED'

/**
 * What a client that requires STARTTLS must do with a case, from the case itself: a PREAUTH greeting,
 * no STARTTLS in the plaintext capabilities, a hidden or refused STARTTLS is a refusal; bytes after the
 * tagged OK are an injection; an OK without a TLS server behind it fails the handshake; else TLS. Both IMAP
 * clients (the imapflow sessions and the streamed Sent APPEND) are held to this one reading.
 */
export function expectedEastImapRefusal(testCase: EastImapCase): EastImapRefusal | null {
  if (testCase.state.$ === 'Authenticated') return 'TLS_STARTTLS_MISSING'
  const offersStarttls = testCase.caps.map(imapCapability).includes('STARTTLS')
  if (!offersStarttls || (testCase.hide_commands ?? []).includes('starttls')) return 'TLS_STARTTLS_MISSING'
  const reply = testCase.starttls_response
  if (reply) {
    const lines = reply.split('\r\n').filter(Boolean)
    const tagged = lines.findIndex((line) => line.startsWith('<tag> '))
    // No tagged answer at all (a "+" continuation): the client waits in vain, up to its connect budget.
    if (tagged < 0) return 'TLS_NOT_ESTABLISHED'
    if (!/^<tag> OK\b/i.test(lines[tagged]!)) return 'TLS_STARTTLS_MISSING'
    if (tagged < lines.length - 1) return 'TLS_STARTTLS_INJECTION'
  }
  if (testCase.starttls_transition === false) return 'TLS_NOT_ESTABLISHED'
  return null
}

/** The IMAP verb of a client line ("A1 LOGIN …" → LOGIN). */
export const imapVerbOf = (line: string) => line.split(' ')[1]?.toUpperCase() ?? ''

/** Nothing but the pre-TLS verbs in plaintext: no LOGIN/AUTHENTICATE, no mailbox command, no password. */
export function expectNothingSecretInPlaintext(record: WireRecord, user: string, password: string) {
  const plain = record.lines.filter((l) => !l.tls).map((l) => l.line)
  for (const line of plain) expect(imapVerbOf(line), line).toMatch(/^(CAPABILITY|STARTTLS|LOGOUT|NOOP|)$/)
  const secretB64 = Buffer.from(`\0${user}\0${password}`).toString('base64')
  expect(plain.filter((line) => line.includes(password) || line.includes(secretB64))).toEqual([])
}

/** The account both EAST IMAP suites log in with: STARTTLS to the played server, its CA, a sealed password. */
export const eastImapAccount = (port: number, caPem: string, password: string): Account => ({
  name: 'east',
  email: 'client@mandant.test',
  user: 'client@mandant.test',
  smtp: { host: '127.0.0.1', port: 9, security: 'tls' },
  imap: { host: '127.0.0.1', port, security: 'starttls' },
  ca: caPem,
  pin: null,
  password: { store: 'sealed', value: password },
  created: new Date().toISOString(),
})
