import { createHash, X509Certificate, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SiegelpostError } from '../../main/core/errors/index.ts'
import { defaultPolicy, type PolicySettings } from '../../main/core/policy/policy-settings.ts'
import type { Account, Security } from '../../main/core/transport/account.ts'
import { Outbox } from '../../main/core/transport/outbox.ts'
import { enqueueAndSend, type SendOutcome } from '../../main/core/transport/send.ts'
import {
  startScriptedSmtp,
  startSmtpServer,
  type Running,
  type ScriptRecord,
  type SmtpRecord,
} from '../helpers/hostile-servers.ts'
import { makeTestPki, type TestPki } from '../helpers/test-pki.ts'

/**
 * Zwangs-TLS against hostile SMTP servers. Checklist: ../shared/corpora/east-fake-mail-server
 * (SMTP Negotiation O_1–O_4, D_1; Buffering B_1; Certificate Validation T_1–T_4) plus TLS 1.0/1.1,
 * REQUIRETLS and pinning. Every refusal must end held, with the specific reason, and the server must
 * have received no AUTH, no MAIL FROM and no message bytes.
 */
let dir: string
let pki: TestPki
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-hostile-'))
  pki = makeTestPki(join(dir, 'pki'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const raw = Buffer.from(
  'From: Advisor <advisor@kanzlei.test>\r\nTo: client@mandant.test\r\nSubject: Lohnabrechnung\r\nMessage-ID: <hostile@kanzlei.test>\r\n\r\nVertraulich.\r\n',
)

function account(port: number, security: Security, extra: Partial<Account> = {}): Account {
  return {
    name: 'test',
    email: 'advisor@kanzlei.test',
    user: 'advisor@kanzlei.test',
    smtp: { host: '127.0.0.1', port, security },
    imap: { host: '127.0.0.1', port: 9, security: 'tls' },
    ca: pki.caPem,
    pin: null,
    password: { store: 'sealed', value: 'secret-password' },
    created: new Date().toISOString(),
    ...extra,
  }
}

async function send(
  acct: Account,
  settings: PolicySettings = defaultPolicy(),
  message: Buffer = raw,
): Promise<{ outcome: SendOutcome; outbox: Outbox }> {
  const outbox = new Outbox({
    profileDir: mkdtempSync(join(dir, 'p-')),
    key: randomBytes(32),
    now: () => new Date(),
    owner: String(process.pid),
    isAlive: () => false,
  })
  const outcome = await enqueueAndSend(
    {
      outbox,
      account: async () => acct,
      password: async () => 'secret-password',
      policy: async () => settings,
      appendSent: async () => {
        throw new SiegelpostError('IMAP_FAILED', { host: '127.0.0.1', port: 9, detail: 'no IMAP in this test' })
      },
      now: () => new Date(),
    },
    message,
    'hostile.eml',
    acct.name,
  )
  return { outcome, outbox }
}

async function withServer<R>(start: Promise<Running<R>>, use: (server: Running<R>) => Promise<void>) {
  const server = await start
  try {
    await use(server)
  } finally {
    await server.close()
  }
}

function expectHeld(outcome: SendOutcome, outbox: Outbox, code: string) {
  expect(outcome.state).toBe('held')
  expect(outcome.reason?.code).toBe(code)
  const entry = outbox.get(outcome.outboxId)
  expect(entry.state).toBe('held')
  expect(entry.outcome.reason?.code).toBe(code)
  outbox.close()
}

function expectNothingReceived(record: SmtpRecord) {
  expect(record.auth).toEqual([])
  expect(record.mailFrom).toEqual([])
  expect(record.messages).toEqual([])
}

function expectNoCommandsAfterTls(record: ScriptRecord) {
  const verbs = record.lines.map((l) => l.line.split(' ')[0]!.toUpperCase())
  expect(verbs.filter((v) => !['EHLO', 'HELO', 'STARTTLS', 'QUIT', 'RSET'].includes(v))).toEqual([])
  expect(record.lines.map((l) => l.line).join('\n')).not.toMatch(/secret-password|c2VjcmV0LXBhc3N3b3Jk|Vertraulich/)
}

describe('submission refuses hostile servers before AUTH and MAIL', () => {
  it('refuses to send when the server has no STARTTLS command (stripping)', async () => {
    await withServer(startSmtpServer({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true }), async (server) => {
      const { outcome, outbox } = await send(account(server.port, 'starttls'))
      expectHeld(outcome, outbox, 'TLS_STARTTLS_MISSING')
      expectNothingReceived(server.record)
    })
  })

  it.each([
    ['O_1: STARTTLS not advertised, 502', ['AUTH PLAIN LOGIN'], '502 Command not implemented'],
    ['O_2: STARTTLS advertised, 502', ['STARTTLS'], '502 Command not implemented'],
    ['O_3: 454 TLS not available', ['STARTTLS'], '454 TLS not available due to temporary reason'],
    ['O_4: 354 instead of 220', ['STARTTLS'], '354 do something else'],
  ])('refuses when STARTTLS is refused (%s)', async (_name, capabilities, starttlsReply) => {
    await withServer(startScriptedSmtp({ capabilities, starttlsReply }), async (server) => {
      const { outcome, outbox } = await send(account(server.port, 'starttls'))
      expect(outcome.state).toBe('held')
      expect(['TLS_STARTTLS_MISSING', 'TLS_NOT_ESTABLISHED']).toContain(outcome.reason?.code)
      outbox.close()
      expectNoCommandsAfterTls(server.record)
      expect(server.record.lines.some((l) => l.line.startsWith('STARTTLS'))).toBe(true)
    })
  })

  it('refuses a server that does not speak ESMTP (D_1: EHLO answered 500), without falling back to HELO', async () => {
    await withServer(
      startScriptedSmtp({ capabilities: [], starttlsReply: '502 no', ehloReply: '500 Command not recognized\r\n' }),
      async (server) => {
        const { outcome, outbox } = await send(account(server.port, 'starttls'))
        expect(outcome.state).toBe('held')
        outbox.close()
        expectNoCommandsAfterTls(server.record)
      },
    )
  })

  it('discards bytes injected after "220 Ready to start TLS" and treats the server as hostile (B_1)', async () => {
    await withServer(
      startScriptedSmtp({
        capabilities: ['STARTTLS'],
        starttlsReply: '220 Ready to start TLS\r\n250-example.org\r\n250 AUTH LOGIN',
        upgradeWith: pki.good,
      }),
      async (server) => {
        const { outcome, outbox } = await send(account(server.port, 'starttls'))
        expectHeld(outcome, outbox, 'TLS_STARTTLS_INJECTION')
        expectNoCommandsAfterTls(server.record)
        // The TLS session was set up (the bytes were not taken as the EHLO answer), yet nothing was sent in it but EHLO.
        expect(server.record.lines.filter((l) => l.tls).map((l) => l.line.split(' ')[0])).toEqual(['EHLO'])
      },
    )
  })

  describe.each(['starttls', 'tls'] as const)('certificate checks over %s', (security) => {
    it.each([
      ['T_1 self-signed', 'selfSigned', 'TLS_CERT_SELF_SIGNED'],
      ['T_2 unknown root', 'unknownRoot', 'TLS_CERT_UNKNOWN_ISSUER'],
      ['T_3 wrong host', 'wrongHost', 'TLS_CERT_WRONG_HOST'],
      ['T_4 expired', 'expired', 'TLS_CERT_EXPIRED'],
    ] as const)('refuses %s', async (_name, which, code) => {
      await withServer(
        startSmtpServer({ secure: security === 'tls', key: pki[which].key, cert: pki[which].cert }),
        async (server) => {
          const { outcome, outbox } = await send(account(server.port, security))
          expectHeld(outcome, outbox, code)
          expectNothingReceived(server.record)
        },
      )
    })

    it('refuses a server that speaks only TLS 1.0/1.1', async () => {
      const old = { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } as const
      await withServer(
        startSmtpServer({ secure: security === 'tls', key: pki.good.key, cert: pki.good.cert, ...old }),
        async (server) => {
          const { outcome, outbox } = await send(account(server.port, security))
          expectHeld(outcome, outbox, 'TLS_VERSION_TOO_OLD')
          expectNothingReceived(server.record)
        },
      )
    })
  })

  it('refuses implicit TLS to a server that answers in plaintext', async () => {
    await withServer(startSmtpServer({ key: pki.good.key, cert: pki.good.cert }), async (server) => {
      const { outcome, outbox } = await send(account(server.port, 'tls'))
      expectHeld(outcome, outbox, 'TLS_WRONG_MODE')
      expectNothingReceived(server.record)
    })
  })

  it('still upgrades when STARTTLS is hidden but works, and authenticates only inside TLS', async () => {
    await withServer(
      startSmtpServer({ hideSTARTTLS: true, key: pki.good.key, cert: pki.good.cert }),
      async (server) => {
        const { outcome, outbox } = await send(account(server.port, 'starttls'))
        expect(outcome.state).toBe('sent')
        expect(server.record.secureAtAuth).toEqual([true])
        expect(server.record.messages[0]!.equals(raw)).toBe(true)
        outbox.close()
      },
    )
  })
})

describe('what the server receives', () => {
  it('gets the Bcc recipients in the envelope only: no Bcc field in the bytes, the body untouched', async () => {
    // Not every submission server strips Bcc (Postfix does; smtp-server, like many gateways, does not).
    const withBcc = Buffer.from(
      'From: advisor@kanzlei.test\r\nTo: client@mandant.test\r\nBcc: Akte <akte@kanzlei.test>,\r\n steuer@finanzamt.test\r\nSubject: Bescheid\r\n\r\nBcc: steht im Text und bleibt.\r\n',
    )
    await withServer(startSmtpServer({ secure: true, key: pki.good.key, cert: pki.good.cert }), async (server) => {
      const { outcome, outbox } = await send(account(server.port, 'tls'), defaultPolicy(), withBcc)
      expect(outcome.state).toBe('sent')
      expect(server.record.rcptTo.sort()).toEqual(['akte@kanzlei.test', 'client@mandant.test', 'steuer@finanzamt.test'])
      expect(server.record.messages[0]!.toString('latin1')).toBe(
        'From: advisor@kanzlei.test\r\nTo: client@mandant.test\r\nSubject: Bescheid\r\n\r\nBcc: steht im Text und bleibt.\r\n',
      )
      // The Outbox keeps the mail as written (the Sent copy shows whom it went to).
      expect(outbox.message(outcome.outboxId).equals(withBcc)).toBe(true)
      outbox.close()
    })
  })
})

describe('certificate pinning', () => {
  const pinOf = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex')

  it('sends when the leaf matches the pin', async () => {
    await withServer(startSmtpServer({ secure: true, key: pki.good.key, cert: pki.good.cert }), async (server) => {
      const { outcome, outbox } = await send(account(server.port, 'tls', { pin: pinOf(pki.good.cert) }))
      expect(outcome.state).toBe('sent')
      outbox.close()
    })
  })

  it('refuses a valid certificate that is not the pinned one', async () => {
    await withServer(startSmtpServer({ secure: true, key: pki.good.key, cert: pki.good.cert }), async (server) => {
      const { outcome, outbox } = await send(account(server.port, 'tls', { pin: pinOf(pki.expired.cert) }))
      expectHeld(outcome, outbox, 'TLS_CERT_PIN_MISMATCH')
      expectNothingReceived(server.record)
    })
  })
})

describe('REQUIRETLS (RFC 8689), requested only after reading EHLO', () => {
  const tlsServer = (offers: boolean) =>
    startSmtpServer({ secure: true, key: pki.good.key, cert: pki.good.cert, hideREQUIRETLS: !offers })

  it('requests REQUIRETLS when the server offers it', async () => {
    await withServer(tlsServer(true), async (server) => {
      const { outcome, outbox } = await send(account(server.port, 'tls'))
      expect(outcome).toMatchObject({ state: 'sent', tls: { requiretls: true } })
      expect(server.record.requireTls).toEqual([true])
      outbox.close()
    })
  })

  it('still sends by default when the server does not offer it', async () => {
    await withServer(tlsServer(false), async (server) => {
      const { outcome, outbox } = await send(account(server.port, 'tls'))
      expect(outcome).toMatchObject({ state: 'sent', tls: { requiretls: false } })
      expect(server.record.requireTls).toEqual([false])
      expect(server.record.messages).toHaveLength(1)
      outbox.close()
    })
  })

  it('holds under "policy set requiretls require" when the server does not offer it, before AUTH', async () => {
    await withServer(tlsServer(false), async (server) => {
      const { outcome, outbox } = await send(account(server.port, 'tls'), { ...defaultPolicy(), requiretls: 'require' })
      expectHeld(outcome, outbox, 'SMTP_REQUIRETLS_UNSUPPORTED')
      expectNothingReceived(server.record)
    })
  })

  it('sends without REQUIRETLS to a whitelisted recipient even when the server offers it', async () => {
    const settings: PolicySettings = {
      ...defaultPolicy(),
      requiretls: 'require',
      tlsExceptions: [
        {
          target: 'mandant.test',
          reason: 'MX ohne TLS, Mandant eingewilligt',
          by: 'Kanzlei',
          date: new Date().toISOString(),
          expires: null,
        },
      ],
    }
    await withServer(tlsServer(true), async (server) => {
      const { outcome, outbox } = await send(account(server.port, 'tls'), settings)
      expect(outcome.state).toBe('sent')
      expect(server.record.requireTls).toEqual([false])
      outbox.close()
    })
  })
})

describe('server answers', () => {
  it('says which setting fixes implicit TLS against a STARTTLS port', async () => {
    await withServer(startSmtpServer({ key: pki.good.key, cert: pki.good.cert }), async (server) => {
      const { outcome, outbox } = await send(account(server.port, 'tls'))
      expect(outcome.reason?.params).toMatchObject({ option: '--smtp-security' })
      outbox.close()
    })
  })

  it('records recipients the server refused while it took the message for the others', async () => {
    const two = Buffer.from(
      raw.toString().replace('To: client@mandant.test', 'To: client@mandant.test, unknown@mandant.test'),
    )
    await withServer(
      startSmtpServer({
        secure: true,
        key: pki.good.key,
        cert: pki.good.cert,
        onRcptTo: (address, _session, callback) =>
          callback(
            address.address.startsWith('unknown')
              ? Object.assign(new Error('No such user'), { responseCode: 550 })
              : undefined,
          ),
      }),
      async (server) => {
        const outbox = new Outbox({
          profileDir: mkdtempSync(join(dir, 'p-')),
          key: randomBytes(32),
          now: () => new Date(),
          owner: String(process.pid),
          isAlive: () => false,
        })
        const deps = {
          outbox,
          account: async () => account(server.port, 'tls'),
          password: async () => 'pw',
          policy: async () => defaultPolicy(),
          appendSent: async () => ({ folder: 'Sent' }),
          now: () => new Date(),
        }
        const outcome = await enqueueAndSend(deps, two, 'two.eml', 'test')
        expect(outcome).toMatchObject({
          state: 'sent',
          reason: { code: 'SMTP_RECIPIENTS_REFUSED', params: { recipients: 'unknown@mandant.test' } },
        })
        expect(outbox.get(outcome.outboxId).outcome).toMatchObject({ rejected: ['unknown@mandant.test'] })
        expect(server.record.messages).toHaveLength(1)
        outbox.close()
      },
    )
  })
})
