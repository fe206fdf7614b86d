import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startSilentServer, startSmtpServer, type Running, type SmtpRecord } from '../helpers/hostile-servers.ts'
import { hasKeyringSession } from '../helpers/needs.ts'
import { assertBuilt, runCliAsync } from '../helpers/run-cli.ts'
import { makeTestPki, type TestPki } from '../helpers/test-pki.ts'

/**
 * Nothing is lost (DESIGN.md): `kill -9` of a sending `siegelpost send` at several points. Afterwards
 * every mail is exactly once in the Outbox (queued, held or sent), and no mail reaches the server twice
 * by itself: an entry caught after MAIL FROM is held as "possibly sent" for the user to decide.
 */
const bin = fileURLToPath(new URL('../../bin/siegelpost.js', import.meta.url))

let dir: string
let pkiDir: string
let pki: TestPki
let base: string[]
beforeAll(async () => {
  assertBuilt()
  pkiDir = await mkdtemp(join(tmpdir(), 'sp-crash-pki-'))
  pki = makeTestPki(pkiDir)
})
afterAll(() => rm(pkiDir, { recursive: true, force: true }))
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sp-crash-'))
  writeFileSync(join(dir, 'vault-pass'), 'crash-test-passphrase\n')
  writeFileSync(join(dir, 'pw'), 'secret\n')
  // The real keychain when the tests run in its session (fast); else the passphrase mode (scrypt per run).
  base = [
    '--profile',
    join(dir, 'profile'),
    ...(hasKeyringSession ? [] : ['--vault-passphrase-file', join(dir, 'vault-pass')]),
    '--lang',
    'en',
  ]
})
afterEach(() => rm(dir, { recursive: true, force: true }))

const cli = (args: string[]) => runCliAsync([...args, ...base])

function message(id: string): string {
  const path = join(dir, `${id}.eml`)
  writeFileSync(
    path,
    `From: advisor@kanzlei.test\r\nTo: client@mandant.test\r\nSubject: ${id}\r\nMessage-ID: <${id}@kanzlei.test>\r\n\r\nBody ${id}\r\n`,
  )
  return path
}

async function addAccount(smtpPort: number, imapPort: number) {
  const run = await cli([
    'accounts',
    'add',
    'acc',
    '--email',
    'advisor@kanzlei.test',
    '--user',
    'advisor@kanzlei.test',
    '--password-file',
    join(dir, 'pw'),
    '--smtp',
    `127.0.0.1:${smtpPort}`,
    '--imap',
    `127.0.0.1:${imapPort}`,
    '--smtp-security',
    'tls',
    '--imap-security',
    'tls',
    '--ca',
    pki.caPath,
  ])
  expect(run.status, run.stderr).toBe(0)
}

function startSend(path: string): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(process.execPath, [bin, 'send', path, '--account', 'acc', '--json', ...base], { stdio: 'ignore' })
  return { child, exited: new Promise((resolve) => child.once('exit', () => resolve())) }
}

/** A point the server stops at until released; `reached` resolves when the client got there. */
function gate() {
  let release!: () => void
  let arrive!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  const reached = new Promise<void>((resolve) => (arrive = resolve))
  return { release, reached, wait: async () => (arrive(), released) }
}

type Entry = { outboxId: string; state: string; reasonCode: string | null; messageId: string; sentCopy: unknown }
const outbox = async (): Promise<Entry[]> => JSON.parse((await cli(['outbox', 'list', '--json'])).stdout)
const received = (record: SmtpRecord, id: string) =>
  record.messages.filter((m) => m.toString().includes(`<${id}@kanzlei.test>`)).length

/** Every mail exactly once in the Outbox, none delivered more than once. */
async function expectInvariant(record: SmtpRecord, ids: string[]) {
  const entries = await outbox()
  for (const id of ids) {
    expect(
      entries.filter((e) => e.messageId === `<${id}@kanzlei.test>`),
      id,
    ).toHaveLength(1)
    expect(received(record, id), id).toBeLessThanOrEqual(1)
  }
}

describe('Outbox durability under kill -9', () => {
  let server: Running<SmtpRecord> | null = null
  afterEach(async () => server?.close())

  it('killed during AUTH (before MAIL): the entry stays queued and the next run sends it exactly once', async () => {
    const authGate = gate()
    let pause = true
    server = await startSmtpServer({
      secure: true,
      key: pki.good.key,
      cert: pki.good.cert,
      hooks: { onAuth: () => (pause ? authGate.wait() : Promise.resolve()) },
    })
    await addAccount(server.port, 9)
    const { child, exited } = startSend(message('m1'))
    await authGate.reached
    child.kill('SIGKILL')
    await exited
    pause = false
    authGate.release()
    expect((await outbox()).map((e) => [e.messageId, e.state])).toEqual([['<m1@kanzlei.test>', 'queued']])
    expect(received(server.record, 'm1')).toBe(0)

    const second = await cli(['send', message('m2'), '--account', 'acc', '--json'])
    expect(second.status, second.stderr + second.stdout).toBe(0)
    const states = Object.fromEntries((await outbox()).map((e) => [e.messageId, e.state]))
    expect(states).toEqual({ '<m1@kanzlei.test>': 'sent', '<m2@kanzlei.test>': 'sent' })
    expect(received(server.record, 'm1')).toBe(1)
    await expectInvariant(server.record, ['m1', 'm2'])
  })

  it('killed while the server holds the DATA reply: held as "possibly sent", never re-sent by itself', async () => {
    const dataGate = gate()
    let pause = true
    server = await startSmtpServer({
      secure: true,
      key: pki.good.key,
      cert: pki.good.cert,
      hooks: { onData: () => (pause ? dataGate.wait() : Promise.resolve()) },
    })
    await addAccount(server.port, 9)
    const { child, exited } = startSend(message('m1'))
    await dataGate.reached
    child.kill('SIGKILL')
    await exited
    pause = false
    dataGate.release() // the server takes the message after all: the client never heard
    await expect.poll(() => received(server!.record, 'm1')).toBe(1)

    const [entry] = await outbox()
    expect(entry).toMatchObject({ state: 'held', reasonCode: 'OUTBOX_POSSIBLY_SENT' })
    expect((await cli(['send', message('m2'), '--account', 'acc'])).status).toBe(0)
    expect(Object.fromEntries((await outbox()).map((e) => [e.messageId, e.state]))).toEqual({
      '<m1@kanzlei.test>': 'held',
      '<m2@kanzlei.test>': 'sent',
    })
    await expectInvariant(server.record, ['m1', 'm2'])

    // The user decides: drop it (it did arrive).
    expect((await cli(['outbox', 'drop', entry!.outboxId])).status).toBe(0)
    expect((await outbox()).map((e) => e.messageId)).toEqual(['<m2@kanzlei.test>'])
  })

  it('killed during the Sent-copy APPEND: the mail is already recorded as sent', async () => {
    server = await startSmtpServer({ secure: true, key: pki.good.key, cert: pki.good.cert })
    const imap = await startSilentServer()
    try {
      await addAccount(server.port, imap.port)
      const { child, exited } = startSend(message('m1'))
      await expect.poll(() => imap.record.connections, { timeout: 20_000 }).toBe(1)
      child.kill('SIGKILL')
      await exited
      expect(await outbox()).toMatchObject([{ messageId: '<m1@kanzlei.test>', state: 'sent', sentCopy: null }])
      await imap.close() // from now on the IMAP port refuses at once
      expect((await cli(['send', message('m2'), '--account', 'acc'])).status).toBe(0)
      await expectInvariant(server.record, ['m1', 'm2'])
      expect(received(server.record, 'm1')).toBe(1)
    } finally {
      await imap.close()
    }
  })

  it('records a failed Sent-copy APPEND without holding or re-sending the mail', async () => {
    {
      server = await startSmtpServer({ secure: true, key: pki.good.key, cert: pki.good.cert })
      await addAccount(server.port, 9)
      const run = await cli(['send', message('m1'), '--account', 'acc', '--json'])
      expect(run.status, run.stderr).toBe(0)
      expect(JSON.parse(run.stdout)).toMatchObject({ state: 'sent', sentCopy: { state: 'failed' } })
      expect(await outbox()).toMatchObject([{ state: 'sent', sentCopy: { state: 'failed' } }])
      expect(received(server.record, 'm1')).toBe(1)
    }
  })
})
