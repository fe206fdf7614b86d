import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppCore } from '../../main/app-core.ts'
import { keychainService } from '../../main/core/keys/secret-store.ts'
import type { Channel, Request } from '../../preload/contract.ts'
import {
  startScriptedImap,
  startSmtpServer,
  type Running,
  type ScriptRecord,
  type SmtpRecord,
} from '../helpers/hostile-servers.ts'
import { memorySecretStore } from '../helpers/memory-secret-store.ts'
import { sendingProfile, sendThroughOutbox } from '../helpers/outbox-send.ts'
import { hasOpenssl } from '../helpers/throwaway-ca.ts'
import { skipUnless } from '../helpers/needs.ts'
import { startDnsServer } from '../helpers/dns-server.ts'
import { makeTestPki, type TestPki } from '../helpers/test-pki.ts'

/**
 * The accounts, Outbox and policy channels through the real dispatcher, handler registry, vault and
 * stores (as the app runs them), against smtp-server and a scripted IMAP server on loopback.
 * The keychain is an in-memory stand-in here; test/e2e/transport.e2e.test.ts uses the real one.
 */
const password = 'Kanzlei-Passwort-7f3a9c'
const origin = 'app://siegelpost'
const sender = { url: `${origin}/index.html`, isMainFrame: true }

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))(
  'accounts, Outbox and policy over IPC',
  () => {
    let dir: string
    let pki: TestPki
    let smtp: Running<SmtpRecord>
    let imap: Running<ScriptRecord>
    let dns: Awaited<ReturnType<typeof startDnsServer>>
    const keychain = memorySecretStore()
    const responses: unknown[] = []
    let core: ReturnType<typeof createAppCore>

    async function call<C extends Channel>(channel: C, ...request: Request<C> extends undefined ? [] : [Request<C>]) {
      const result = await core.dispatch(channel, sender, request[0])
      responses.push(result)
      return result as
        { ok: true; value: any } | { ok: false; error: { code: string; message: { de: string; en: string } } } // eslint-disable-line @typescript-eslint/no-explicit-any
    }
    async function value<C extends Channel>(channel: C, ...request: Request<C> extends undefined ? [] : [Request<C>]) {
      const result = await call(channel, ...request)
      if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message.en}`)
      return result.value
    }
    const account = (
      name: string,
      smtpPort: number,
      extra: Partial<Request<'accounts:add'>> = {},
    ): Request<'accounts:add'> => ({
      name,
      email: 'anna@kanzlei.test',
      user: 'anna@kanzlei.test',
      password,
      smtp: { host: '127.0.0.1', port: smtpPort, security: 'tls' },
      imap: { host: '127.0.0.1', port: imap.port, security: 'tls' },
      ca: pki.caPem,
      ...extra,
    })

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'sp-transport-ipc-'))
      pki = makeTestPki(join(dir, 'pki'))
      smtp = await startSmtpServer({ secure: true, key: pki.good.key, cert: pki.good.cert, hideREQUIRETLS: true })
      imap = await startScriptedImap({
        greeting: '* OK IMAP4rev1 ready',
        capability: 'CAPABILITY IMAP4rev1 AUTH=PLAIN',
        implicitTls: pki.good,
      })
      // mandant.test publishes no MTA-STS and no TLSA: its posture is "none".
      dns = await startDnsServer({
        'mandant.test': { MX: [{ exchange: 'mx.mandant.test', preference: 10 }] },
        'mx.mandant.test': { A: ['127.0.0.9'] },
      })
      core = createAppCore({
        profileDir: join(dir, 'profile'),
        keySource: async () => ({ mode: 'keychain', store: keychain }),
        appInfo: {
          name: 'Siegelpost',
          version: '0',
          platform: 'linux',
          runtime: { node: '24', electron: null, chrome: null },
        },
        trustedOrigins: [origin],
        chooseSavePath: async () => null,
        writeClipboard: async () => undefined,
        dnsServer: dns.address,
      })
    })
    afterAll(async () => {
      await smtp?.close()
      await imap?.close()
      await dns?.close()
      rmSync(dir, { recursive: true, force: true })
    })

    it('adds an account: the password goes to the keychain and never comes back', async () => {
      expect(await value('accounts:list')).toEqual([])
      const added = await value('accounts:add', account('kanzlei', smtp.port))
      expect(added).toEqual({
        name: 'kanzlei',
        email: 'anna@kanzlei.test',
        user: 'anna@kanzlei.test',
        smtp: { host: '127.0.0.1', port: smtp.port, security: 'tls' },
        imap: { host: '127.0.0.1', port: imap.port, security: 'tls' },
        hasCa: true,
        pin: null,
        created: expect.any(String),
      })
      expect(keychain.entries.get(`${keychainService}\u0000mail:${join(dir, 'profile')}:kanzlei`)).toBe(password)
      expect(await value('accounts:list')).toEqual([added])
      // Security defaults as `accounts add`: starttls for 587/143 when not given.
      const defaults = await value(
        'accounts:add',
        account('zweites', 587, {
          smtp: { host: 'smtp.kanzlei.test', port: 587 },
          imap: { host: 'imap.kanzlei.test', port: 143 },
          ca: undefined,
          pin: 'AB:'.repeat(31) + 'AB',
        }),
      )
      expect(defaults).toMatchObject({
        smtp: { security: 'starttls' },
        imap: { security: 'starttls' },
        hasCa: false,
        pin: 'ab'.repeat(32),
      })
      // Removing forgets the account and its keychain entry.
      expect(keychain.entries.has(`${keychainService}\u0000mail:${join(dir, 'profile')}:zweites`)).toBe(true)
      expect(await value('accounts:remove', { name: 'zweites' })).toEqual({ name: 'zweites' })
      expect(keychain.entries.has(`${keychainService}\u0000mail:${join(dir, 'profile')}:zweites`)).toBe(false)
      expect(await value('accounts:list')).toEqual([added])
      expect(await call('accounts:remove', { name: 'zweites' })).toMatchObject({
        ok: false,
        error: { code: 'ACCOUNT_NOT_FOUND' },
      })
    })

    it.each([
      ['the same name again', { name: 'kanzlei' }, 'ACCOUNT_EXISTS'],
      ['a host with a path', { smtp: { host: 'smtp.kanzlei.test/x', port: 465 } }, 'ACCOUNT_BAD_ENDPOINT'],
      ['a pin that is no SHA-256', { pin: 'abcd' }, 'ACCOUNT_BAD_PIN'],
      ['a CA that is no certificate', { ca: 'not a certificate' }, 'ACCOUNT_BAD_CA'],
      ['a plaintext security mode', { smtp: { host: 'a.test', port: 25, security: 'none' } }, 'IPC_BAD_REQUEST'],
      ['an "accept any certificate" switch', { insecure: true }, 'IPC_BAD_REQUEST'],
      ['no password', { password: '' }, 'IPC_BAD_REQUEST'],
    ])('refuses an account with %s and stores nothing', async (_name, change, code) => {
      const before = await value('accounts:list')
      const result = await call('accounts:add', {
        ...account('neu', smtp.port),
        name: 'neu',
        ...change,
      } as Request<'accounts:add'>)
      expect(result).toMatchObject({ ok: false, error: { code } })
      expect(await value('accounts:list')).toEqual(before)
    })

    it('tests an account: TLS version, cipher, certificate and REQUIRETLS of both servers', async () => {
      const check = await value('accounts:test', { name: 'kanzlei' })
      expect(check.smtp).toMatchObject({
        ok: true,
        reason: null,
        requiretls: false,
        tls: { version: expect.stringMatching(/^TLSv1\.[23]$/), subject: expect.stringContaining('good') },
      })
      expect(check.imap).toMatchObject({
        ok: true,
        reason: null,
        tls: { version: expect.stringMatching(/^TLSv1\.[23]$/) },
      })
      expect(smtp.record.auth).toEqual(['anna@kanzlei.test'])
      expect(smtp.record.mailFrom).toEqual([])
      expect(imap.record.lines.filter((l) => /LOGIN|AUTHENTICATE/i.test(l.line)).every((l) => l.tls)).toBe(true)
    })

    it('reports a self-signed server with its reason, before any login', async () => {
      const hostile = await startSmtpServer({ secure: true, key: pki.selfSigned.key, cert: pki.selfSigned.cert })
      try {
        await value('accounts:add', account('selbst', hostile.port))
        const check = await value('accounts:test', { name: 'selbst' })
        expect(check.smtp).toMatchObject({
          ok: false,
          tls: null,
          requiretls: null,
          reason: {
            code: expect.stringMatching(/^TLS_CERT_/),
            message: { de: expect.any(String), en: expect.any(String) },
          },
        })
        expect(hostile.record.auth).toEqual([])
      } finally {
        await hostile.close()
      }
    })

    it('lists a held Outbox entry with its reason, retries the same entry after the policy changed, and drops it', async () => {
      expect(await value('policy:set-requiretls', { value: 'require' })).toMatchObject({ requiretls: 'require' })
      const vault = await core.getVault()
      const profile = sendingProfile(join(dir, 'profile'), vault, async () => keychain)
      const raw = Buffer.from(
        'From: anna@kanzlei.test\r\nTo: bernd@mandant.test\r\nSubject: Jahresabschluss 2025\r\nMessage-ID: <ipc-1@kanzlei.test>\r\n\r\nVertraulich.\r\n',
      )
      const outcome = await sendThroughOutbox(profile, raw, 'kanzlei')
      expect(outcome).toMatchObject({ state: 'held', reason: { code: 'SMTP_REQUIRETLS_UNSUPPORTED' } })

      const [entry] = await value('outbox:list')
      expect(entry).toMatchObject({
        outboxId: outcome.outboxId,
        state: 'held',
        reason: {
          code: 'SMTP_REQUIRETLS_UNSUPPORTED',
          message: { de: expect.stringContaining('REQUIRETLS'), en: expect.stringContaining('REQUIRETLS') },
        },
        account: 'kanzlei',
        subject: 'Jahresabschluss 2025',
        recipients: ['bernd@mandant.test'],
        attempts: 1,
      })
      expect(smtp.record.messages).toEqual([])

      // The sender decides: back to "request when offered", then the same entry goes out.
      await value('policy:set-requiretls', { value: 'request' })
      const retried = await value('outbox:retry', { outboxId: outcome.outboxId })
      expect(retried).toMatchObject({
        outboxId: outcome.outboxId,
        state: 'sent',
        reason: null,
        tls: { requiretls: false },
        sentCopy: { state: expect.any(String) },
      })
      expect(smtp.record.messages.map((m) => m.toString('utf8'))).toEqual([expect.stringContaining('Vertraulich.')])
      expect(await value('outbox:list')).toMatchObject([{ outboxId: outcome.outboxId, state: 'sent', attempts: 2 }])
      expect(await call('outbox:retry', { outboxId: outcome.outboxId })).toMatchObject({
        ok: false,
        error: { code: 'OUTBOX_WRONG_STATE' },
      })

      expect(await value('outbox:drop', { outboxId: outcome.outboxId })).toEqual({ outboxId: outcome.outboxId })
      expect(await value('outbox:list')).toEqual([])
      expect(await call('outbox:drop', { outboxId: outcome.outboxId })).toMatchObject({
        ok: false,
        error: { code: 'OUTBOX_NOT_FOUND' },
      })
      expect(await call('outbox:drop', { outboxId: '../../etc/passwd' } as never)).toMatchObject({
        ok: false,
        error: { code: 'IPC_BAD_REQUEST' },
      })
    })

    it('changes the policy: rules, exceptions with reason, who and expiry, consents', async () => {
      const shown = await value('policy:show')
      expect(shown).toEqual({ requiretls: 'request', rules: [], tlsExceptions: [], consents: [] })
      await value('policy:rule', { target: 'Steuer.Test', require: 'e2e', by: 'Anna' })
      await value('policy:rule', { target: 'mandant.test', require: 'mta-sts-or-dane' })
      await value('policy:tls-exception', {
        target: 'alt@partner.test',
        reason: 'Altsystem ohne REQUIRETLS',
        by: 'Anna',
        expires: '2030-01-31',
      })
      const settings = await value('policy:consent', {
        address: 'bernd@mandant.test',
        channel: 'tls',
        by: 'Anna',
        note: 'schriftlich',
      })
      expect(settings).toMatchObject({
        rules: [
          { target: 'steuer.test', require: 'e2e', by: 'Anna', note: null },
          { target: 'mandant.test', require: 'mta-sts-or-dane', by: null },
        ],
        tlsExceptions: [
          {
            target: 'alt@partner.test',
            reason: 'Altsystem ohne REQUIRETLS',
            by: 'Anna',
            expires: '2030-01-31T23:59:59.999Z',
          },
        ],
        consents: [{ address: 'bernd@mandant.test', channel: 'tls', by: 'Anna', note: 'schriftlich' }],
      })
      expect(await call('policy:rule', { target: 'not a domain', require: 'e2e' })).toMatchObject({
        ok: false,
        error: { code: 'POLICY_BAD_TARGET' },
      })
      expect(
        await call('policy:tls-exception', { target: 'x.test', reason: 'r', by: 'A', expires: 'morgen' }),
      ).toMatchObject({ ok: false, error: { code: 'POLICY_BAD_DATE' } })
      expect(await call('policy:consent', { address: 'mandant test', channel: 'tls', by: 'A' })).toMatchObject({
        ok: false,
        error: { code: 'POLICY_BAD_TARGET' },
      })
      expect(await call('policy:rule', { target: 'x.test', require: 'nothing' } as never)).toMatchObject({
        ok: false,
        error: { code: 'IPC_BAD_REQUEST' },
      })
      expect(await value('policy:show')).toEqual(settings)
    })

    it('decides per recipient what the composer shows, with the reasons in both languages', async () => {
      const decision = await value('policy:decide', {
        account: 'kanzlei',
        recipients: ['chef@steuer.test', 'bernd@mandant.test', 'info@frei.test'],
        isEndToEnd: false,
      })
      expect(decision.decision).toBe('hold')
      expect(decision.held).toMatchObject({
        code: 'POLICY_E2E_REQUIRED',
        message: { de: expect.stringContaining('chef@steuer.test'), en: expect.stringContaining('chef@steuer.test') },
      })
      const [chef, bernd, frei] = decision.recipients
      expect(chef).toMatchObject({
        recipient: 'chef@steuer.test',
        decision: 'hold',
        reasons: [{ code: 'POLICY_E2E_REQUIRED' }],
        rules: [{ target: 'steuer.test', require: 'e2e' }],
      })
      // The domain check ran against the test DNS server: no MTA-STS, no DANE → the rule holds the mail.
      expect(bernd).toMatchObject({
        decision: 'hold',
        reasons: [{ code: 'POLICY_DOMAIN_NOT_TLS', message: { de: expect.stringContaining('mta-sts-or-dane') } }],
        consent: { channel: 'tls' },
      })
      expect(dns.queries.some((q) => q.includes('mandant.test'))).toBe(true)
      expect(frei).toEqual({
        recipient: 'info@frei.test',
        decision: 'send',
        requireTls: 'if-offered',
        reasons: [],
        rules: [],
        exception: null,
        consent: null,
      })

      const e2e = await value('policy:decide', { recipients: ['chef@steuer.test'], isEndToEnd: true })
      expect(e2e).toMatchObject({ decision: 'send', held: null })
      // A whitelisted recipient together with a REQUIRETLS-strict one cannot share one MAIL FROM.
      await value('policy:rule', { target: 'strikt.test', require: 'requiretls' })
      const mixed = await value('policy:decide', {
        recipients: ['a@strikt.test', 'alt@partner.test'],
        isEndToEnd: false,
      })
      expect(mixed).toMatchObject({
        decision: 'hold',
        held: { code: 'POLICY_MIXED_RECIPIENTS' },
        recipients: [
          { requireTls: 'required' },
          { requireTls: 'avoid', exception: { reason: 'Altsystem ohne REQUIRETLS' } },
        ],
      })
      expect(
        await call('policy:decide', { account: 'gibt-es-nicht', recipients: ['a@b.test'], isEndToEnd: false }),
      ).toMatchObject({ ok: false, error: { code: 'ACCOUNT_NOT_FOUND' } })
    })

    it('never puts the account password into any response', () => {
      expect(responses.length).toBeGreaterThan(20)
      const all = JSON.stringify(responses)
      expect(all).not.toContain(password)
      expect(all).not.toContain(Buffer.from(password).toString('base64'))
      expect(all).not.toContain('keychain')
    })
  },
)
