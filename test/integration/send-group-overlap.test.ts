import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultPolicy } from '../../main/core/policy/policy-settings.ts'
import type { Account } from '../../main/core/transport/account.ts'
import { appendStreamed } from '../../main/core/transport/imap-append.ts'
import { isProcessAlive, Outbox } from '../../main/core/transport/outbox.ts'
import { queueGroup, sendGroup } from '../../main/core/transport/send-group.ts'
import type { SendDeps } from '../../main/core/transport/send.ts'
import { startSmtpServer } from '../helpers/hostile-servers.ts'
import { asStackUser, hasMailStack, mailStackFix, startMailStack, type MailStack } from '../helpers/mail-stack.ts'
import { skipUnless } from '../helpers/needs.ts'

/**
 * A group's Sent item goes into Sent (Dovecot) as soon as its first copy went out, while the next copy is still on
 * its way over SMTP: the two servers work at once. The copy's submission server holds the second AUTH until the
 * test has seen the Sent item arrive; then both copies are sent and the item is in Sent once.
 */
const user = 'advisor@kanzlei.test'

const mail = (tag: string, body: string) =>
  Buffer.from(
    [`From: ${user}`, 'To: client@mandant.test', `Subject: ${tag}`, `Message-ID: <${tag}@kanzlei.test>`, '', body].join(
      '\r\n',
    ),
  )

describe.skipIf(skipUnless('Postfix and Dovecot', hasMailStack, mailStackFix))(
  'the Sent item while the copies are sent',
  () => {
    let stack: MailStack
    let dir: string

    beforeAll(async () => {
      stack = startMailStack()
      dir = await mkdtemp(join(tmpdir(), 'sp-send-overlap-'))
    }, 120_000)
    afterAll(async () => {
      stack?.stop()
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    const inSent = (tag: string) =>
      asStackUser(stack, user, async (client) => {
        const lock = await client.getMailboxLock('Sent')
        try {
          return ((await client.search({ header: { 'message-id': `<${tag}@kanzlei.test>` } }, { uid: true })) || [])
            .length
        } finally {
          lock.release()
        }
      })

    it('is appended after the first copy, before the second copy is through', async () => {
      let auths = 0
      let release!: () => void
      const gate = new Promise<void>((resolve) => (release = resolve))
      const server = await startSmtpServer({
        secure: true,
        key: readFileSync(join(stack.root, 'pki', 'server.key.pem')),
        cert: readFileSync(join(stack.root, 'pki', 'server.pem')),
        listenHost: stack.host,
        hooks: { onAuth: () => (++auths === 2 ? gate : Promise.resolve()) },
      })
      const outbox = new Outbox({
        profileDir: join(dir, 'profile'),
        key: randomBytes(32),
        now: () => new Date(),
        owner: String(process.pid),
        isAlive: isProcessAlive,
      })
      try {
        const account: Account = {
          name: 'advisor',
          email: user,
          user,
          smtp: { host: stack.host, port: server.port, security: 'tls' },
          imap: { host: stack.host, port: stack.ports.imaps, security: 'tls' },
          ca: readFileSync(stack.caPath, 'utf8'),
          pin: null,
          password: { store: 'sealed', value: '' },
          created: new Date().toISOString(),
        }
        const deps: SendDeps = {
          outbox,
          account: async () => account,
          password: async () => 'advisor-pw',
          policy: async () => defaultPolicy(),
          appendSent: appendStreamed,
          now: () => new Date(),
        }
        const tag = 'zugleich'
        async function* copies() {
          for (const to of ['client@mandant.test', 'max@mandant.test']) {
            const envelope = { from: user, recipients: [to], subject: tag, messageId: `<${tag}@kanzlei.test>` }
            yield { envelope: { ...envelope, isEndToEnd: false }, chunks: [mail(tag, `Kopie an ${to}\r\n`)] }
          }
        }
        const groupId = await queueGroup(deps, 'advisor', copies(), async () => [mail(tag, 'Gesendet\r\n')])
        const sending = sendGroup(deps, groupId)
        await expect.poll(() => auths, { timeout: 30_000 }).toBe(2)
        // The second copy waits at its AUTH: the Sent item is already in Sent.
        await expect.poll(() => inSent(tag), { timeout: 30_000 }).toBe(1)
        expect(server.record.messages).toHaveLength(1)
        release()
        const outcome = await sending
        expect(outcome.messages.map((m) => m.state)).toEqual(['sent', 'sent'])
        expect(outcome.sentItem).toEqual({ state: 'ok', detail: 'Sent' })
        expect(server.record.messages).toHaveLength(2)
        expect(await inSent(tag)).toBe(1)
      } finally {
        release()
        outbox.close()
        await server.close()
      }
    })
  },
)
