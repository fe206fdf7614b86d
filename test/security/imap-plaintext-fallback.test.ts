import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ImapFlow } from 'imapflow'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SiegelpostError } from '../../main/core/errors/index.ts'
import type { Account, Security } from '../../main/core/transport/account.ts'
import { openImap } from '../../main/core/transport/imap-session.ts'
import { startScriptedImap, type ScriptRecord } from '../helpers/hostile-servers.ts'
import { makeTestPki, type TestPki } from '../helpers/test-pki.ts'

/**
 * imapflow continues in cleartext and sends the password when STARTTLS is missing unless doSTARTTLS
 * is set (library-facts §2.1). These servers are from ../shared/corpora/east-fake-mail-server (IMAP
 * Negotiation O_1–O_3, D_1, P/M_1_A PREAUTH; Buffering B_1 injection; Certificate Validation T_1–T_4).
 */
let dir: string
let pki: TestPki
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-imap-'))
  pki = makeTestPki(join(dir, 'pki'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const password = 'imap-secret-pw'
const account = (port: number, security: Security): Account => ({
  name: 'test',
  email: 'client@mandant.test',
  user: 'client@mandant.test',
  smtp: { host: '127.0.0.1', port: 9, security: 'tls' },
  imap: { host: '127.0.0.1', port, security },
  ca: pki.caPem,
  pin: null,
  password: { store: 'sealed', value: password },
  created: new Date().toISOString(),
})

const noCapabilityStarttls = {
  greeting: '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN] IMAP server ready.',
  capability: 'CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN',
}

function expectNoCredentials(record: ScriptRecord) {
  const all = record.lines.map((l) => l.line).join('\n')
  expect(all).not.toMatch(/LOGIN|AUTHENTICATE|SELECT/i)
  expect(all).not.toContain(password)
  expect(all).not.toContain(Buffer.from(`\0client@mandant.test\0${password}`).toString('base64'))
}

async function refusal(port: number, security: Security): Promise<SiegelpostError> {
  const error = await openImap(account(port, security), password).then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(SiegelpostError)
  return error as SiegelpostError
}

describe('IMAP never falls back to plaintext', () => {
  it('control: imapflow with its defaults does send the password in cleartext to this server', async () => {
    const server = await startScriptedImap(noCapabilityStarttls)
    try {
      const client = new ImapFlow({
        host: '127.0.0.1',
        port: server.port,
        secure: false,
        auth: { user: 'client@mandant.test', pass: password },
        logger: false,
      })
      client.on('error', () => undefined)
      await client.connect().catch(() => undefined)
      client.close()
      expect(server.record.lines.some((l) => /AUTHENTICATE|LOGIN/i.test(l.line))).toBe(true)
    } finally {
      await server.close()
    }
  })

  it.each([
    ['O_1: no STARTTLS capability, BAD', noCapabilityStarttls],
    [
      'O_2: STARTTLS advertised, NO',
      {
        ...noCapabilityStarttls,
        capability: 'CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN',
        starttlsReply: 'NO do not begin TLS now.',
      },
    ],
    [
      'O_3: STARTTLS advertised, BAD',
      {
        ...noCapabilityStarttls,
        capability: 'CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN',
        starttlsReply: 'BAD do not begin TLS now.',
      },
    ],
    ['D_1: no capability at all', { greeting: '* OK IMAP server ready.', capability: 'CAPABILITY' }],
  ])('refuses and sends no credentials (%s)', async (_name, script) => {
    const server = await startScriptedImap(script)
    try {
      const error = await refusal(server.port, 'starttls')
      expect(error.code).toBe('TLS_STARTTLS_MISSING')
      expectNoCredentials(server.record)
    } finally {
      await server.close()
    }
  })

  it('refuses a PREAUTH greeting when STARTTLS is required (P / M_1_A)', async () => {
    const server = await startScriptedImap({
      greeting: '* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] logged in',
      capability: 'CAPABILITY IMAP4rev1 STARTTLS',
    })
    try {
      const error = await refusal(server.port, 'starttls')
      expect(['TLS_STARTTLS_MISSING', 'IMAP_FAILED']).toContain(error.code)
      expectNoCredentials(server.record)
    } finally {
      await server.close()
    }
  })

  it('refuses bytes injected between the STARTTLS reply and the handshake (B_1)', async () => {
    const server = await startScriptedImap({
      greeting: '* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready',
      capability: 'CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED',
      starttlsReply: 'OK Begin TLS negotiation now',
      inject: '* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n',
      upgradeWith: pki.good,
    })
    try {
      const error = await refusal(server.port, 'starttls')
      expect(error.code).toBe('TLS_STARTTLS_INJECTION')
      expectNoCredentials(server.record)
    } finally {
      await server.close()
    }
  })

  it.each([
    ['T_1 self-signed', 'selfSigned', 'TLS_CERT_SELF_SIGNED'],
    ['T_2 unknown root', 'unknownRoot', 'TLS_CERT_UNKNOWN_ISSUER'],
    ['T_3 wrong host', 'wrongHost', 'TLS_CERT_WRONG_HOST'],
    ['T_4 expired', 'expired', 'TLS_CERT_EXPIRED'],
  ] as const)('refuses %s over implicit TLS and over STARTTLS', async (_name, which, code) => {
    const implicit = await startScriptedImap({
      greeting: '* OK ready',
      capability: 'CAPABILITY IMAP4rev1 AUTH=PLAIN',
      implicitTls: pki[which],
    })
    const upgraded = await startScriptedImap({
      greeting: '* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready',
      capability: 'CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED',
      starttlsReply: 'OK Begin TLS',
      upgradeWith: pki[which],
    })
    try {
      expect((await refusal(implicit.port, 'tls')).code).toBe(code)
      expect((await refusal(upgraded.port, 'starttls')).code).toBe(code)
      expectNoCredentials(implicit.record)
      expectNoCredentials(upgraded.record)
    } finally {
      await implicit.close()
      await upgraded.close()
    }
  })

  it('connects to a correct server over STARTTLS and logs in only inside TLS', async () => {
    const server = await startScriptedImap({
      greeting: '* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready',
      capability: 'CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN',
      starttlsReply: 'OK Begin TLS',
      upgradeWith: pki.good,
    })
    try {
      const session = await openImap(account(server.port, 'starttls'), password)
      expect(session.tls.version).toMatch(/^TLSv1\.[23]$/)
      session.client.close()
      const login = server.record.lines.filter((l) => /LOGIN|AUTHENTICATE/i.test(l.line))
      expect(login.length).toBeGreaterThan(0)
      expect(login.every((l) => l.tls)).toBe(true)
    } finally {
      await server.close()
    }
  })
})
