import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SiegelpostError } from '../../main/core/errors/index.ts'
import { defaultPolicy } from '../../main/core/policy/policy-settings.ts'
import type { Account } from '../../main/core/transport/account.ts'
import { Outbox } from '../../main/core/transport/outbox.ts'
import { enqueueAndSend } from '../../main/core/transport/send.ts'
import { eastCases, eastVariants, hasEastCorpus, skipWithoutEast, type EastCase } from '../helpers/east-corpus.ts'
import { startEastSmtp, type EastSmtpCase, type WireRecord } from '../helpers/east-servers.ts'
import { makeTestPki, type TestPki } from '../helpers/test-pki.ts'

/**
 * Submission over STARTTLS against every SMTP case of the EAST corpus ("Why TLS is better without
 * STARTTLS", USENIX Security 2021): the negotiation cases, the buffering step (replies injected after
 * "220 Ready to start TLS") and the reply-code matrix of others/ (every greeting, EHLO, HELO, STARTTLS,
 * RSET and QUIT answer the paper tried: 220, 221, 354, 421, 454, 500–504, 530, 550, 554).
 *
 * Each case ends either sent, with AUTH, MAIL and the message only inside TLS, or held in the Outbox
 * with the reason's code and the message kept byte for byte: never a plaintext credential or mail
 * byte, never a dropped mail.
 */
let dir: string
let pki: TestPki
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-east-smtp-'))
  pki = makeTestPki(join(dir, 'pki'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const password = 'east-smtp-secret'
const raw = Buffer.from(
  'From: Advisor <advisor@kanzlei.test>\r\nTo: client@mandant.test\r\nSubject: Lohnsteuer\r\nMessage-ID: <east@kanzlei.test>\r\n\r\nVertraulich: Steuer-ID 12 345 678 901\r\n',
)

const account = (port: number): Account => ({
  name: 'east',
  email: 'advisor@kanzlei.test',
  user: 'advisor@kanzlei.test',
  smtp: { host: '127.0.0.1', port, security: 'starttls' },
  imap: { host: '127.0.0.1', port: 9, security: 'tls' },
  ca: pki.caPem,
  pin: null,
  password: { store: 'sealed', value: password },
  created: new Date().toISOString(),
})

/** The case's reply to a verb: its override, 502 when hidden, or null for the normal answer. */
function replyTo(testCase: EastSmtpCase, verb: string): string | null {
  const override = Object.entries(testCase.override_response ?? {}).find(([key]) => key.toLowerCase() === verb)
  if (override) return override[1]
  return (testCase.hide_commands ?? []).includes(verb) ? '502 command not recognized\r\n' : null
}

/**
 * Whether a client that insists on STARTTLS can send through the case: a 220 greeting, a 2xx EHLO
 * answer, and a single "220" line to STARTTLS with TLS behind it (advertised or not: it is tried anyway).
 * Everything else must end held.
 */
function canSend(testCase: EastSmtpCase): boolean {
  if (!(testCase.greeting ?? '220').startsWith('220')) return false
  // nodemailer takes any 2xx to EHLO as success (220/221 included); inside verified TLS that is harmless.
  // A second reply queued behind the EHLO answer (a final "NNN " line before the last) is an injection.
  const ehlo = (replyTo(testCase, 'ehlo') ?? '250 ok\r\n').split('\r\n').filter(Boolean)
  if (
    !ehlo[0]!.startsWith('2') ||
    ehlo.slice(0, -1).some((line) => line[3] === ' ') ||
    replyTo(testCase, 'starttls') !== null
  )
    return false
  const stls = testCase.stls_response ?? '220 Ready to start TLS\r\n'
  return (
    stls.startsWith('220') && stls.split('\r\n').filter(Boolean).length === 1 && testCase.stls_make_transition !== false
  )
}

/** A verb from plaintext that may carry a credential or mail. */
const secretVerbs = /^(AUTH|MAIL|RCPT|DATA|BDAT)$/

function expectNothingInPlaintext(record: WireRecord) {
  const plain = record.lines.filter((l) => !l.tls).map((l) => l.line)
  expect(plain.filter((line) => secretVerbs.test(line.split(' ')[0]!.toUpperCase()))).toEqual([])
  const b64 = Buffer.from(`\0advisor@kanzlei.test\0${password}`).toString('base64')
  expect(
    plain.filter((line) => /east-smtp-secret|Vertraulich|12 345 678 901/.test(line) || line.includes(b64)),
  ).toEqual([])
}

async function check(testCase: EastCase<EastSmtpCase>) {
  const server = await startEastSmtp(testCase.config, { cert: pki.good })
  const outbox = new Outbox({
    profileDir: mkdtempSync(join(dir, 'p-')),
    key: randomBytes(32),
    now: () => new Date(),
    owner: String(process.pid),
    isAlive: () => false,
  })
  try {
    const outcome = await enqueueAndSend(
      {
        outbox,
        account: async () => account(server.port),
        password: async () => password,
        policy: async () => defaultPolicy(),
        appendSent: async () => {
          throw new SiegelpostError('IMAP_FAILED', { host: '127.0.0.1', port: 9, detail: 'no IMAP in this test' })
        },
        now: () => new Date(),
      },
      raw,
      'east.eml',
      'east',
    )
    expectNothingInPlaintext(server.record)
    const entry = outbox.get(outcome.outboxId)
    // Nothing lost: whatever happened, the Outbox still has the message byte for byte.
    expect(outbox.message(outcome.outboxId).equals(raw)).toBe(true)
    if (canSend(testCase.config)) {
      expect(outcome.state, `${testCase.name}: ${outcome.reason?.code ?? ''}`).toBe('sent')
      expect(server.record.messages.map((m) => m.equals(raw))).toEqual([true])
      const auth = server.record.lines.filter((l) => /^AUTH\b/i.test(l.line))
      expect(auth.length).toBeGreaterThan(0)
      expect(auth.every((l) => l.tls)).toBe(true)
    } else {
      expect(outcome.state, testCase.name).toBe('held')
      expect(entry.state).toBe('held')
      expect(server.record.messages).toEqual([])
      expect(outcome.reason?.code).toMatch(
        /^(TLS_STARTTLS_MISSING|TLS_NOT_ESTABLISHED|TLS_STARTTLS_INJECTION|SMTP_REJECTED|SMTP_UNREACHABLE)$/,
      )
    }
    return outcome.reason?.code ?? outcome.state
  } finally {
    outbox.close()
    await server.close()
  }
}

const folders = ['smtp/Negotiation', 'smtp/others']

describe.skipIf(skipWithoutEast())(
  'SMTP STARTTLS against the EAST corpus: negotiation, buffering and the reply-code matrix',
  () => {
    const all = hasEastCorpus ? folders.flatMap((folder) => eastCases<EastSmtpCase>(folder)) : []
    const buffering = hasEastCorpus ? eastVariants<EastSmtpCase>('smtp/Buffering/B_1.ron') : []

    it('has the cases it expects (the corpus is complete)', () => {
      expect(folders.map((folder) => eastCases(folder).length)).toEqual([5, 51])
      expect(buffering.map((c) => c.name)).toEqual(['smtp/Buffering/B_1.ron (step 1)'])
    })

    it.each([...all, ...buffering].map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
      await check(testCase)
    })

    it('does not take a "220 Ready to start TLS" sent ahead of the STARTTLS command as its answer (injection before STARTTLS)', async () => {
      const ahead: EastCase<EastSmtpCase> = {
        name: 'self-made: 220 queued behind the EHLO answer',
        config: {
          capabilities: [],
          capabilities_tls: [],
          override_response: { ehlo: '250-example.org\r\n250 STARTTLS\r\n220 Ready to start TLS\r\n' },
          stls_make_transition: false,
        },
      }
      // Whatever the client makes of it, check() holds it to: nothing in plaintext, held with a code, nothing lost.
      expect(canSend(ahead.config)).toBe(false)
      expect(await check(ahead)).toMatch(/^(TLS_|SMTP_)/)
    })

    it('gives the reason a user can act on for the classic stripping and injection cases', async () => {
      const byName = new Map([...all, ...buffering].map((c) => [c.name, c]))
      const codes = async (names: string[]) => Promise.all(names.map((name) => check(byName.get(name)!)))
      expect(
        await codes([
          'smtp/Negotiation/O_1.ron',
          'smtp/Negotiation/O_2.ron',
          'smtp/Negotiation/O_3.ron',
          'smtp/Negotiation/O_4.ron',
        ]),
      ).toEqual(Array(4).fill('TLS_STARTTLS_MISSING'))
      expect(await codes(['smtp/Buffering/B_1.ron (step 1)'])).toEqual(['TLS_STARTTLS_INJECTION'])
      expect(await codes(['smtp/others/greeting/554.ron', 'smtp/others/greeting/421.ron'])).toEqual([
        'SMTP_REJECTED',
        'SMTP_REJECTED',
      ])
    })
  },
)
