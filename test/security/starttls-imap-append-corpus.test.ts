import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer as createTlsServer } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SiegelpostError } from '../../main/core/errors/index.ts'
import { appendStreamed } from '../../main/core/transport/imap-append.ts'
import {
  eastCases,
  eastMail,
  eastVariants,
  hasEastCorpus,
  skipWithoutEast,
  type EastCase,
} from '../helpers/east-corpus.ts'
import { startEastImap, type EastImapCase } from '../helpers/east-servers.ts'
import {
  eastImapAccount,
  expectNothingSecretInPlaintext,
  expectedEastImapRefusal,
  imapVerbOf,
} from '../helpers/east-imap-expect.ts'
import { makeTestPki, type TestPki } from '../helpers/test-pki.ts'

/**
 * The Sent copy's own streamed APPEND client (imap-append.ts) against the IMAP cases of the EAST corpus, as
 * starttls-imap-corpus.test.ts runs them against the imapflow sessions: every case is refused with the same
 * coded error, no credential and no mailbox command in plaintext, and no server text in the error; or the
 * client logs in inside TLS only, and its LIST and APPEND go inside TLS only. (The played server knows no
 * APPEND: it refuses it, so a case that reaches it ends as IMAP_FAILED — after everything above was checked.)
 */
let dir: string
let pki: TestPki
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-east-append-'))
  pki = makeTestPki(join(dir, 'pki'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const password = 'east-append-secret'
const account = (port: number) => eastImapAccount(port, pki.caPem, password)

const message = eastMail('mail_1.eml')

async function check(testCase: EastCase<EastImapCase>) {
  const expected = expectedEastImapRefusal(testCase.config)
  const server = await startEastImap(testCase.config, { cert: pki.good, message })
  try {
    const error = await appendStreamed(account(server.port), password, {
      length: message.length,
      records: async function* () {
        yield message
      },
    }).then(
      () => null,
      (e: unknown) => e,
    )
    expectNothingSecretInPlaintext(server.record, 'client@mandant.test', password)
    expect(error, testCase.name).toBeInstanceOf(SiegelpostError)
    const shown = `${(error as SiegelpostError).localized('de')} ${(error as SiegelpostError).localized('en')}`
    expect(shown).not.toMatch(/bAjdyeKO|MyF21bpV|uNiQTghK|kkgIhdNV|Attacker-controlled|prefix\.|suffix\./)
    if (expected) {
      expect((error as SiegelpostError).code, testCase.name).toBe(expected)
      return
    }
    // A TLS session: logged in, listed and tried the APPEND — each only inside TLS; the fake refuses APPEND.
    expect([(error as SiegelpostError).code, (error as SiegelpostError).params.detail], testCase.name).toEqual([
      'IMAP_FAILED',
      'APPEND refused',
    ])
    for (const verb of ['AUTHENTICATE|LOGIN', 'LIST', 'APPEND']) {
      const lines = server.record.lines.filter((l) => new RegExp(`^(${verb})$`).test(imapVerbOf(l.line)))
      expect(lines.length, `${testCase.name}: ${verb}`).toBeGreaterThan(0)
      expect(lines.every((l) => l.tls)).toBe(true)
    }
  } finally {
    await server.close()
  }
}

const folders = ['imap/Negotiation', 'imap/Tampering', 'imap/UI Spoofing']

describe.skipIf(skipWithoutEast())('the streamed Sent APPEND against the EAST corpus (IMAP STARTTLS)', () => {
  for (const folder of folders) {
    // O_4 answers STARTTLS with a continuation and then nothing: it ends by the connect budget (20 s).
    it.each(hasEastCorpus ? eastCases<EastImapCase>(folder).map((c) => [c.name, c] as const) : [])(
      '%s',
      (_name, testCase) => check(testCase),
      60_000,
    )
  }
  const buffering = hasEastCorpus
    ? ['B_1', 'B_2', 'B_3'].flatMap((name) => eastVariants<EastImapCase>(`imap/Buffering/${name}.ron`))
    : []
  it.each(buffering.map((c) => [c.name, c] as const))('%s', (_name, testCase) => check(testCase))
})

describe('the streamed Sent APPEND against a hostile server inside TLS', () => {
  /** An implicit-TLS server that logs in anyone and answers LIST with `flood` bytes of untagged lines. */
  async function flooding(flood: number) {
    const server = createTlsServer({ key: pki.good.key, cert: pki.good.cert }, (socket) => {
      socket.on('error', () => undefined)
      socket.write('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR LITERAL+] ready\r\n')
      let buffered = ''
      socket.on('data', (data: Buffer) => {
        buffered += data.toString('latin1')
        for (let end = buffered.indexOf('\r\n'); end >= 0; end = buffered.indexOf('\r\n')) {
          const [tag, verb] = buffered.slice(0, end).split(' ')
          buffered = buffered.slice(end + 2)
          if (verb === 'LIST') {
            const line = `* OK ${'x'.repeat(1000)}\r\n`
            const chunk = line.repeat(1000)
            for (let sent = 0; sent < flood && !socket.destroyed; sent += chunk.length) socket.write(chunk)
            socket.write(`${tag} OK done\r\n`)
          } else if (verb === 'CAPABILITY') socket.write(`* CAPABILITY IMAP4rev1 LITERAL+\r\n${tag} OK done\r\n`)
          else socket.write(`${tag} OK done\r\n`)
        }
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return server
  }

  it('ends the session when the untagged answers to one command pass their bound', async () => {
    const server = await flooding(32 * 1024 * 1024)
    try {
      const port = (server.address() as { port: number }).port
      const error = await appendStreamed(
        { ...account(port), imap: { host: '127.0.0.1', port, security: 'tls' } },
        password,
        {
          length: message.length,
          records: async function* () {
            yield message
          },
        },
      ).then(
        () => null,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(SiegelpostError)
      expect([(error as SiegelpostError).code, (error as SiegelpostError).params.detail]).toEqual([
        'IMAP_FAILED',
        'flood',
      ])
    } finally {
      server.close()
    }
  }, 60_000)
})
