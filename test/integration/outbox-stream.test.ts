import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { limits } from '../../main/core/limits.ts'
import type { Account } from '../../main/core/transport/account.ts'
import { Outbox, outboxFileName } from '../../main/core/transport/outbox.ts'
import { queueGroup, sendGroup } from '../../main/core/transport/send-group.ts'
import { attempt } from '../../main/core/transport/send.ts'
import { deliveredMail, hasMailStack, mailStackFix, stackUserAccount } from '../helpers/mail-stack.ts'
import { mailStackSuite } from '../helpers/mail-stack-suite.ts'
import { skipUnless } from '../helpers/needs.ts'
import { writeStep2QueuedEntry } from '../helpers/outbox-step2.ts'
import { advisorSendDeps, openKeyedOutbox, outboxFiles } from '../helpers/stack-outbox.ts'

/**
 * The Outbox's sealed chunk files through the real Postfix and Dovecot: a message written to the Outbox in
 * chunks as a composer produces it, streamed record by record into SMTP (nodemailer dot-stuffs), arrives at
 * every recipient exactly as written — 5 MB with dot lines across chunk and record borders, a 1-byte and an
 * empty body. An entry queued by the previous schema still sends after the upgrade. kill -9 while a copy is
 * written leaves no entry and no file; kill -9 after it is queued leaves an entry that sends on the next run.
 */
const recipients = ['client@mandant.test', 'max@mandant.test', 'fran@example.org']

/** A message as a composer would produce it (with a Date, which Postfix would add otherwise): CRLF lines. */
function mail(tag: string, body: Buffer): Buffer {
  const head = [
    'From: advisor@kanzlei.test',
    'To: client@mandant.test, max@mandant.test',
    'Cc: fran@example.org',
    `Subject: ${tag}`,
    'Date: Sat, 05 Dec 2026 10:00:00 +0100',
    `Message-ID: <${tag}@kanzlei.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
  ]
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), body])
}

/** Base64 text lines with lines that SMTP must dot-stuff ("." alone, "..", ".x"), some across record borders. */
function dottedBody(bytes: number): Buffer {
  const lines: string[] = []
  let length = 0
  for (let i = 0; length < bytes; i++) {
    const line = i % 97 === 0 ? ['.', '..', '.Punkt am Anfang'][i % 3]! : randomBytes(57).toString('base64')
    lines.push(line)
    length += line.length + 2
  }
  const body = Buffer.from(`${lines.join('\r\n')}\r\n`).subarray(0, bytes - 2)
  const out = Buffer.concat([body, Buffer.from('\r\n')])
  // A "\r\n.\r\n" (the end of DATA, if it were not stuffed) right across the first record border.
  const border = limits.outboxChunkBytes - 1000 - 2
  if (out.length > border + 10) out.write('\r\n.\r\n', border, 'latin1')
  return out
}

const lastWords = Buffer.from('Kurz vor dem Absturz.\r\n')

async function* chunked(bytes: Buffer, size = 100_003) {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size)
}

describe.skipIf(skipUnless('Postfix and Dovecot', hasMailStack, mailStackFix))(
  'Outbox chunk files through real Postfix and Dovecot',
  () => {
    const suite = mailStackSuite('sp-outbox-stream-', { messageSizeLimit: 32 * 1024 * 1024, needsBuild: false })
    let account: Account
    const key = randomBytes(32)
    const openOutbox = (profile: string, owner?: string) => openKeyedOutbox(join(suite.work, profile), key, owner)
    const depsOf = (outbox: Outbox) => advisorSendDeps(outbox, account, async () => ({ folder: 'Sent' }))
    const files = (profile: string) => outboxFiles(join(suite.work, profile))

    /** What Dovecot stored for `address` with this Message-ID, without the trace fields put before it. */
    const stored = (address: string, tag: string): Buffer[] =>
      deliveredMail(suite.stack, address)
        .filter((raw) => raw.includes(`Message-ID: <${tag}@kanzlei.test>`))
        .map((raw) => raw.subarray(raw.indexOf('From: advisor@kanzlei.test')))
    /** Dovecot's maildir keeps lines as LF: the message as written, in that form. */
    const asStored = (raw: Buffer) => Buffer.from(raw.toString('latin1').replaceAll('\r\n', '\n'), 'latin1')
    const expectArrived = async (tag: string, raw: Buffer) => {
      for (const address of recipients) {
        // Postfix delivers to Dovecot after it took the message: wait for it.
        await expect.poll(() => stored(address, tag).length, { timeout: 30_000 }).toBeGreaterThan(0)
        const got = stored(address, tag)
        expect(got, `${tag} at ${address}`).toHaveLength(1)
        // Not toEqual on 5 MB: a mismatch names the first differing offset instead of printing both.
        const want = asStored(raw)
        const differs = got[0]!.findIndex((byte, i) => byte !== want[i])
        expect({ length: got[0]!.length, differs }, `${tag} at ${address}`).toEqual({
          length: want.length,
          differs: -1,
        })
      }
    }

    beforeAll(async () => {
      account = stackUserAccount(suite.stack, 'advisor', 'advisor@kanzlei.test')
    }, 120_000)

    it('5 MB, a 1-byte and an empty body, each to three recipients, arrive exactly as written', async () => {
      const outbox = openOutbox('sizes')
      const deps = depsOf(outbox)
      const messages = [
        ['fuenf-mb', mail('fuenf-mb', dottedBody(5 * 1024 * 1024))],
        ['ein-byte', mail('ein-byte', Buffer.from('x'))],
        ['leer', mail('leer', Buffer.alloc(0))],
      ] as const
      for (const [tag, raw] of messages) {
        async function* copies() {
          const envelope = { from: 'advisor@kanzlei.test', recipients, subject: tag, messageId: tag, isEndToEnd: false }
          yield { envelope, chunks: chunked(raw) }
        }
        const groupId = await queueGroup(deps, 'advisor', copies(), async () => [Buffer.from('Sent item')])
        expect(files('sizes').length, tag).toBe(2) // the copy's file and the Sent item's
        expect(files('sizes'), tag).toContain(`${groupId}.sent.sealed`)
        const outcome = await sendGroup(deps, groupId)
        expect(
          outcome.messages.map((m) => [m.state, m.reason]),
          tag,
        ).toEqual([['sent', null]])
        expect(files('sizes'), `${tag}: the files go once the server has the message and Sent the item`).toEqual([])
      }
      await expectArrived('fuenf-mb', messages[0][1])
      // SMTP ends a message with CRLF before the final dot (RFC 5321 §4.1.1.4): a body without one gets it.
      await expectArrived('ein-byte', Buffer.concat([messages[1][1], Buffer.from('\r\n')]))
      await expectArrived('leer', messages[2][1])
      outbox.close()
    }, 180_000)

    it('an entry queued by the previous schema (message in SQLite) still sends after the upgrade', async () => {
      const path = join(suite.work, 'old', outboxFileName)
      await import('node:fs').then((fs) => fs.mkdirSync(join(suite.work, 'old'), { recursive: true }))
      const raw = mail('vor-dem-update', Buffer.from('Vor dem Update in die Warteschlange gestellt.\r\n'))
      const envelope = {
        account: 'advisor',
        from: 'advisor@kanzlei.test',
        recipients,
        subject: 'vor-dem-update',
        messageId: '<vor-dem-update@kanzlei.test>',
        isEndToEnd: false,
      }
      writeStep2QueuedEntry(path, key, envelope, raw)
      const outbox = openOutbox('old')
      const outcome = await attempt(depsOf(outbox), 'old')
      expect([outcome.state, outcome.reason, outcome.append]).toEqual(['sent', null, { state: 'ok', detail: 'Sent' }])
      await expectArrived('vor-dem-update', raw)
      outbox.close()
    }, 60_000)

    /** A process that writes a group's copy through the real Outbox, then waits to be killed. */
    const writer = (profile: string, tag: string, mode: 'endless' | 'queued') => {
      const module = (path: string) => pathToFileURL(join(import.meta.dirname, '../../main/core', path)).href
      const script = join(suite.work, `${tag}.ts`)
      writeFileSync(
        script,
        `import { Outbox } from '${module('transport/outbox.ts')}'
const outbox = new Outbox({ profileDir: ${JSON.stringify(join(suite.work, profile))},
  key: Buffer.from('${key.toString('hex')}', 'hex'),
  now: () => new Date(), owner: String(process.pid), isAlive: () => true })
const raw = Buffer.from(${JSON.stringify(mail(tag, lastWords).toString('latin1'))}, 'latin1')
async function* endless() {
  yield raw
  for (;;) {
    yield Buffer.alloc(64 * 1024, 0x41)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
const groupId = outbox.beginGroup()
const envelope = { account: 'advisor', from: 'advisor@kanzlei.test', recipients: ${JSON.stringify(recipients)},
  subject: '${tag}', messageId: '<${tag}@kanzlei.test>', isEndToEnd: false }
await outbox.createFrom(envelope, ${mode === 'endless' ? 'endless()' : '[raw]'}, groupId)
outbox.finishGroup(groupId, Buffer.from('Sent item'))
process.stdout.write('queued\\n')
setInterval(() => undefined, 1000)
`,
      )
      const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] })
      let out = ''
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      return { child, exited, output: () => out }
    }

    it('kill -9 while a copy is being written: on the next start no entry and no file remain', async () => {
      const run = writer('killed-writing', 'beim-schreiben', 'endless')
      await expect
        .poll(() => files('killed-writing').filter((f) => f.endsWith('.tmp')).length, { timeout: 30_000 })
        .toBe(1)
      run.child.kill('SIGKILL')
      await run.exited
      const outbox = openOutbox('killed-writing')
      outbox.recover()
      expect(outbox.list()).toEqual([])
      expect(outbox.pendingRetries()).toEqual([])
      expect(files('killed-writing')).toEqual([])
      outbox.close()
    }, 60_000)

    it('kill -9 after a copy was queued, before it was sent: the next run sends it once, as written', async () => {
      const run = writer('killed-queued', 'nach-dem-schreiben', 'queued')
      await expect.poll(() => run.output(), { timeout: 30_000 }).toContain('queued')
      run.child.kill('SIGKILL')
      await run.exited
      const outbox = openOutbox('killed-queued')
      expect(outbox.recover().released).toHaveLength(1)
      const [id] = outbox.pendingRetries()
      const outcome = await attempt(depsOf(outbox), id!)
      expect([outcome.state, outcome.reason]).toEqual(['sent', null])
      await expectArrived('nach-dem-schreiben', mail('nach-dem-schreiben', lastWords))
      expect(files('killed-queued')).toEqual([])
      outbox.close()
    }, 60_000)
  },
)
