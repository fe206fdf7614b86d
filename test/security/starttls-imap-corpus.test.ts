import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SiegelpostError } from '../../main/core/errors/index.ts'
import { classifyImapError, listFolders, openImap, type ImapSession } from '../../main/core/transport/imap-session.ts'
import {
  eastCases,
  eastMail,
  eastVariants,
  hasEastCorpus,
  skipWithoutEast,
  type EastCase,
} from '../helpers/east-corpus.ts'
import { startEastImap, type EastImapCase, type ImapPlay, type WireRecord } from '../helpers/east-servers.ts'
import { startSilentServer } from '../helpers/hostile-servers.ts'
import {
  eastImapAccount,
  expectNothingSecretInPlaintext,
  expectedEastImapRefusal,
} from '../helpers/east-imap-expect.ts'
import { makeTestPki, type TestPki } from '../helpers/test-pki.ts'

/**
 * IMAP STARTTLS against every IMAP case of the EAST corpus ("Why TLS is better without STARTTLS",
 * USENIX Security 2021), played by a server that reads the .ron files: Negotiation (stripping, PREAUTH,
 * referrals), Buffering (responses injected before and after the STARTTLS answer), Tampering (untagged
 * responses before TLS meant to plant folders, messages, counts or capabilities), UI spoofing (ALERT
 * text in the plaintext greeting), plus login and mailbox referrals (RFC 2221, RFC 2193).
 *
 * Every case ends one of two ways: refused with a coded error and no credential, no mailbox command
 * and no server text carried into the error; or a TLS session in which the client logged in, and what
 * it lists and fetches is exactly what the server served over TLS (nothing from the plaintext phase).
 */
let dir: string
let pki: TestPki
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-east-imap-'))
  pki = makeTestPki(join(dir, 'pki'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const password = 'east-imap-secret'
const account = (port: number) => eastImapAccount(port, pki.caPem, password)

async function play(testCase: EastImapCase, extra: Partial<ImapPlay> = {}) {
  const server = await startEastImap(testCase, { cert: pki.good, message: eastMail('mail_1.eml'), ...extra })
  let session: ImapSession | null = null
  const error = await openImap(account(server.port), password).then(
    (s) => ((session = s), null),
    (e: unknown) => e,
  )
  return { server, session: session as ImapSession | null, error }
}

/** Inside TLS the client sees the server's real folders and message, nothing planted before TLS. */
/** What the session reads from a folder over imapflow: its UIDVALIDITY and every message's UID and bytes. */
async function fetchFolder(session: ImapSession, folder: string) {
  const lock = await session.client.getMailboxLock(folder, { readOnly: true })
  try {
    const mailbox = session.client.mailbox
    const uidValidity = mailbox ? String(mailbox.uidValidity) : '0'
    if (!mailbox || mailbox.exists === 0) return { uidValidity, messages: [] as { uid: number; raw: Buffer }[] }
    const fetched = await session.client.fetchAll('1:*', { uid: true, source: true }, { uid: true })
    return { uidValidity, messages: fetched.map((m) => ({ uid: m.uid, raw: m.source! })) }
  } finally {
    lock.release()
  }
}

async function expectCleanSession(session: ImapSession, record: WireRecord, injected: string | null | undefined) {
  const folders = await listFolders(session, account(0))
  expect(folders.map((f) => f.path)).toEqual(['INBOX', 'Sent'])
  const fetched = await fetchFolder(session, 'INBOX')
  expect(fetched.uidValidity).toBe('42')
  expect(fetched.messages.map((m) => [m.uid, m.raw.toString('latin1')])).toEqual([
    [1, eastMail('mail_1.eml').toString('latin1')],
  ])
  expect(session.client.capabilities.has('IDLE')).toBe(false)
  if (injected) expect(JSON.stringify(folders)).not.toMatch(/7XiYhgS7|jcaZji2A|YFlgClUY|Click me/)
  await session.client.logout().catch(() => session.client.close())
  const login = record.lines.filter((l) => /^\S+ (LOGIN|AUTHENTICATE)\b/i.test(l.line))
  expect(login.length).toBeGreaterThan(0)
  expect(login.every((l) => l.tls)).toBe(true)
}

async function check(testCase: EastCase<EastImapCase>) {
  const refused = expectedEastImapRefusal(testCase.config)
  const { server, session, error } = await play(testCase.config)
  try {
    expectNothingSecretInPlaintext(server.record, 'client@mandant.test', password)
    if (refused) {
      expect(error, testCase.name).toBeInstanceOf(SiegelpostError)
      expect((error as SiegelpostError).code, testCase.name).toBe(refused)
      // Text the server sent before TLS is never shown as if it were trustworthy (UI spoofing).
      const shown = `${(error as SiegelpostError).localized('de')} ${(error as SiegelpostError).localized('en')}`
      expect(shown).not.toMatch(/bAjdyeKO|MyF21bpV|uNiQTghK|kkgIhdNV|Attacker-controlled|prefix\.|suffix\./)
    } else {
      expect(error, `${testCase.name}: ${String(error)}`).toBeNull()
      await expectCleanSession(
        session!,
        server.record,
        testCase.config.response_after_greeting ?? testCase.config.starttls_response,
      )
    }
  } finally {
    session?.client.close()
    await server.close()
  }
}

const folders = ['imap/Negotiation', 'imap/Tampering', 'imap/UI Spoofing']
const cases = (folder: string) => eastCases<EastImapCase>(folder)

describe.skipIf(skipWithoutEast())('IMAP STARTTLS against the EAST corpus', () => {
  it('has the cases it expects (the corpus is complete)', () => {
    expect(folders.map((folder) => cases(folder).length)).toEqual([19, 21, 7])
  })

  for (const folder of folders) {
    // O_4 answers STARTTLS with a continuation and then nothing: it ends by the connect budget (20 s).
    it.each(hasEastCorpus ? cases(folder).map((c) => [c.name, c] as const) : [])(
      '%s',
      (_name, testCase) => check(testCase),
      60_000,
    )
  }

  const extra = hasEastCorpus
    ? [
        ...eastCases<EastImapCase>('imap/others/untagged_capability_after_greeting.ron'),
        ...eastCases<EastImapCase>('imap/others/untagged_capability_before_starttls.ron'),
        ...eastCases<EastImapCase>('imap/others/exploit/list_injection_expunge.ron'),
      ]
    : []
  it.each(extra.map((c) => [c.name, c] as const))('%s', (_name, testCase) => check(testCase))

  const buffering = hasEastCorpus
    ? ['B_1', 'B_2', 'B_3'].flatMap((name) => eastVariants<EastImapCase>(`imap/Buffering/${name}.ron`))
    : []
  it('reads every injection step of the Buffering cases', () => {
    expect(buffering.map((c) => c.name)).toEqual([
      'imap/Buffering/B_1.ron (step 1)',
      'imap/Buffering/B_2.ron (step 1)',
      'imap/Buffering/B_2.ron (step 2)',
      'imap/Buffering/B_2.ron (step 3)',
      'imap/Buffering/B_3.ron (step 1)',
    ])
  })
  it.each(buffering.map((c) => [c.name, c] as const))('%s', (_name, testCase) => check(testCase))
})

describe.skipIf(skipWithoutEast())('IMAP referrals are never followed', () => {
  const base = () => eastCases<EastImapCase>('imap/Negotiation/M_2_A.ron')[0]!.config

  it('ignores a REFERRAL planted in plaintext after the greeting and stays with the server it verified', async () => {
    const elsewhere = await startSilentServer()
    try {
      const testCase = {
        ...base(),
        response_after_greeting: `* OK [REFERRAL imap://127.0.0.1:${elsewhere.port}/] go there\r\n`,
      }
      const { server, session, error } = await play(testCase)
      try {
        expect(error).toBeNull()
        await expectCleanSession(session!, server.record, null)
      } finally {
        await server.close()
      }
      expect(elsewhere.record.connections).toBe(0)
    } finally {
      await elsewhere.close()
    }
  })

  it.each([
    [
      'a login referral (RFC 2221) in answer to LOGIN',
      { loginReply: 'NO [REFERRAL imap://client@127.0.0.1:PORT/] use this server' },
      'IMAP_AUTH_FAILED',
    ],
    [
      'a mailbox referral (RFC 2193) in answer to EXAMINE',
      { selectReply: 'NO [REFERRAL imap://127.0.0.1:PORT/INBOX] remote mailbox' },
      null,
    ],
  ] as const)('refuses %s without connecting anywhere else', async (_name, reply, code) => {
    const elsewhere = await startSilentServer()
    try {
      const withPort = Object.fromEntries(
        Object.entries(reply).map(([k, v]) => [k, v.replace('PORT', String(elsewhere.port))]),
      )
      const { server, session, error } = await play(base(), withPort)
      try {
        expectNothingSecretInPlaintext(server.record, 'client@mandant.test', password)
        if (code) {
          expect(error).toBeInstanceOf(SiegelpostError)
          expect((error as SiegelpostError).code).toBe(code)
        } else {
          expect(error).toBeNull()
          const outcome = await fetchFolder(session!, 'INBOX').then(
            () => null,
            (e: unknown) => e,
          )
          expect(classifyImapError(outcome, account(server.port)).code).toBe('IMAP_FAILED')
        }
      } finally {
        session?.client.close()
        await server.close()
      }
      expect(elsewhere.record.connections).toBe(0)
    } finally {
      await elsewhere.close()
    }
  })
})
