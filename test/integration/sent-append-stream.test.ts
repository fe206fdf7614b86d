import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Account } from '../../main/core/transport/account.ts'
import { appendStreamed } from '../../main/core/transport/imap-append.ts'
import { Outbox } from '../../main/core/transport/outbox.ts'
import { queueGroup, sendGroup } from '../../main/core/transport/send-group.ts'
import { attempt, type SendDeps } from '../../main/core/transport/send.ts'
import { retryReleased } from '../../main/core/transport/transport-profile.ts'
import {
  asStackUser,
  deliveredMail,
  hasMailStack,
  mailStackFix,
  stackUserAccount,
  startMailStack,
} from '../helpers/mail-stack.ts'
import { mailStackSuite } from '../helpers/mail-stack-suite.ts'
import { skipUnless } from '../helpers/needs.ts'
import { octetMail } from '../helpers/octet-mail.ts'
import { advisorSendDeps, openKeyedOutbox, outboxFiles } from '../helpers/stack-outbox.ts'

/**
 * The Sent copy's streamed IMAP APPEND (imap-append.ts) against the real Dovecot: what Dovecot gives back from
 * Sent is byte for byte what the Outbox's sealed file held — a 24 MiB item, a 1-byte and an empty body, over
 * implicit TLS with LITERAL+ and over STARTTLS with synchronizing literals. A connection cut in the middle of
 * the literal, and a damaged record, leave nothing in Sent and the item due; the next run appends it once.
 */
const recipients = ['client@mandant.test']
const user = 'advisor@kanzlei.test'

const mail = (tag: string, body: Buffer) => octetMail(tag, body, user)

/** Base64 lines of random bytes, CRLF, `bytes` long. */
function base64Body(bytes: number): Buffer {
  const line = 76 + 2
  const text = randomBytes(Math.ceil(bytes / line) * 57).toString('base64')
  const lines = text.match(/.{1,76}/g)!.join('\r\n')
  return Buffer.from(`${lines}\r\n`).subarray(0, bytes)
}

async function* chunked(bytes: Buffer, size = 300_007) {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size)
}

/** A TCP relay in front of Dovecot that cuts both sides once `cutAfter` bytes went from client to server. */
function cuttingRelay(host: string, port: number, cutAfter: number): Promise<{ server: Server; port: number }> {
  const server = createServer((client: Socket) => {
    const upstream = connect({ host, port })
    let sent = 0
    client.on('data', (data: Buffer) => {
      sent += data.length
      if (sent > cutAfter) {
        client.destroy()
        upstream.destroy()
      } else upstream.write(data)
    })
    upstream.on('data', (data: Buffer) => client.write(data))
    for (const socket of [client, upstream]) {
      socket.on('error', () => undefined)
      socket.on('close', () => (client.destroy(), upstream.destroy()))
    }
  })
  return new Promise((resolve) =>
    server.listen(0, host, () => resolve({ server, port: (server.address() as { port: number }).port })),
  )
}

describe.skipIf(skipUnless('Postfix and Dovecot', hasMailStack, mailStackFix))(
  "the Sent copy's streamed APPEND against Dovecot",
  () => {
    const suite = mailStackSuite('sp-sent-append-', { messageSizeLimit: 64 * 1024 * 1024, needsBuild: false })
    const key = randomBytes(32)
    const accountOf = (imap: Account['imap']) => stackUserAccount(suite.stack, 'advisor', user, imap)
    const openOutbox = (profile: string, owner?: string) => openKeyedOutbox(join(suite.work, profile), key, owner)
    const depsOf = (outbox: Outbox, account: Account) => advisorSendDeps(outbox, account, appendStreamed)
    const files = (profile: string) => outboxFiles(join(suite.work, profile))
    /** Every message in the advisor's Sent folder with this tag's Message-ID, as Dovecot gives it back. */
    const inSent = (tag: string): Promise<Buffer[]> =>
      asStackUser(suite.stack, user, async (client) => {
        const lock = await client.getMailboxLock('Sent')
        try {
          const uids = (await client.search({ header: { 'message-id': `<${tag}@kanzlei.test>` } }, { uid: true })) || []
          const found: Buffer[] = []
          for (const uid of uids) {
            const message = await client.fetchOne(String(uid), { source: true }, { uid: true })
            if (message && message.source) found.push(message.source)
          }
          return found
        } finally {
          lock.release()
        }
      })
    const expectIdentical = (got: Buffer | undefined, want: Buffer, what: string) => {
      expect(got, what).toBeDefined()
      const differs = got!.findIndex((byte, i) => byte !== want[i])
      expect({ length: got!.length, differs }, what).toEqual({ length: want.length, differs: -1 })
    }
    /** Queues a group of one small copy and `item` as its Sent item (written in chunks, as the composer does). */
    const queue = async (deps: SendDeps, tag: string, item: Buffer) => {
      async function* copies() {
        const envelope = { from: user, recipients, subject: tag, messageId: `<${tag}@kanzlei.test>`, isEndToEnd: false }
        yield { envelope, chunks: [mail(tag, Buffer.from('Kopie\r\n'))] }
      }
      return queueGroup(deps, 'advisor', copies(), async () => chunked(item))
    }

    it('24 MiB, a 1-byte and an empty body come back from Sent byte for byte (TLS, LITERAL+)', async () => {
      const outbox = openOutbox('sizes')
      const deps = depsOf(outbox, accountOf({ host: suite.stack.host, port: suite.stack.ports.imaps, security: 'tls' }))
      const items = [
        ['gross', mail('gross', base64Body(24 * 1024 * 1024))],
        ['ein-byte', mail('ein-byte', Buffer.from('x'))],
        ['leer', mail('leer', Buffer.alloc(0))],
      ] as const
      for (const [tag, item] of items) {
        const groupId = await queue(deps, tag, item)
        const outcome = await sendGroup(deps, groupId)
        expect([outcome.messages.map((m) => m.state), outcome.sentItem], tag).toEqual([
          ['sent'],
          { state: 'ok', detail: 'Sent' },
        ])
        expect(files('sizes'), tag).toEqual([])
        const stored = await inSent(tag)
        expect(stored, tag).toHaveLength(1)
        expectIdentical(stored[0], item, tag)
      }
      // Content with a NUL byte (a literal may not carry it, RFC 9051 §4.3): Dovecot offers BINARY, so it goes as
      // literal8 (~{n+}). Dovecot would take the NUL in a plain literal too; this shows it takes the literal8 form.
      const binary = mail('binaer', Buffer.from('vor\0nach\r\n', 'latin1'))
      const appended = await appendStreamed(await deps.account('advisor'), 'advisor-pw', {
        length: binary.length,
        records: () => chunked(binary),
      })
      expect(appended.existed).toBe(false)
      // IMAP's FETCH BODY[] cannot give a NUL back (Dovecot sends 0x80 there): the stored file shows it is kept.
      const onDisk = deliveredMail(suite.stack, user, '.Sent').filter((raw) =>
        raw.includes('Message-ID: <binaer@kanzlei.test>'),
      )
      expect(onDisk).toHaveLength(1)
      expectIdentical(onDisk[0], Buffer.from(binary.toString('latin1').replaceAll('\r\n', '\n'), 'latin1'), 'binaer')
      // A mail sent on its own (send FILE): its Sent copy is streamed from the entry's own file, Bcc included.
      const single = mail('allein', Buffer.from('y'))
      const withBcc = Buffer.concat([Buffer.from('Bcc: archiv@kanzlei.test\r\n'), single])
      const id = outbox.create(
        {
          account: 'advisor',
          from: user,
          recipients,
          subject: 'allein',
          messageId: '<allein@kanzlei.test>',
          isEndToEnd: false,
        },
        withBcc,
      )
      const sent = await attempt(deps, id)
      expect([sent.state, sent.append]).toEqual(['sent', { state: 'ok', detail: 'Sent' }])
      expectIdentical((await inSent('allein'))[0], withBcc, 'allein')
      outbox.close()
    }, 180_000)

    it('over STARTTLS with synchronizing literals (no LITERAL+) the item comes back byte for byte', async () => {
      const plain = startMailStack({
        imapCapability:
          'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN ' +
          'NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 ESEARCH SEARCHRES LIST-STATUS MOVE SPECIAL-USE',
      })
      try {
        const account = {
          ...accountOf({ host: plain.host, port: plain.ports.imap, security: 'starttls' }),
          ca: readFileSync(plain.caPath, 'utf8'),
        }
        const item = mail('synchron', base64Body(3 * 1024 * 1024 + 1))
        const result = await appendStreamed(account, 'advisor-pw', {
          length: item.length,
          records: () => chunked(item),
        })
        expect([result.folder, result.existed]).toEqual(['Sent', false])
        const stored = await asStackUser(plain, user, async (client) => {
          const lock = await client.getMailboxLock('Sent')
          try {
            return await client.fetchOne('*', { source: true })
          } finally {
            lock.release()
          }
        })
        expectIdentical(stored ? stored.source : undefined, item, 'synchron')
      } finally {
        plain.stop()
      }
    }, 120_000)

    it('a cut mid-literal leaves nothing in Sent, the item due; the next run appends it once', async () => {
      const relay = await cuttingRelay(suite.stack.host, suite.stack.ports.imaps, 2 * 1024 * 1024)
      try {
        const item = mail('abgerissen', base64Body(8 * 1024 * 1024))
        // Owners that are no process: the next run sees the first one gone.
        const outbox = openOutbox('cut', 'lauf-1')
        const cut = depsOf(outbox, accountOf({ host: suite.stack.host, port: relay.port, security: 'tls' }))
        const groupId = await queue(cut, 'abgerissen', item)
        const outcome = await sendGroup(cut, groupId)
        expect(outcome.messages.map((m) => m.state)).toEqual(['sent'])
        expect(outcome.sentItem).toEqual({ state: 'failed', detail: 'IMAP_FAILED' })
        expect(files('cut')).toEqual([`${groupId}.sent.sealed`])
        expect(outbox.group(groupId).sentItem.state).toBe('pending')
        // Not again in the run that failed (retryReleased after a send): due for the next process.
        expect(outbox.dueSentItems()).toEqual([])
        await retryReleased(cut)
        expect(await inSent('abgerissen')).toEqual([])
        outbox.close()

        // The next run (another process id) with the server reachable: appended once, the file goes.
        const next = openOutbox('cut', 'lauf-2')
        const deps = depsOf(next, accountOf({ host: suite.stack.host, port: suite.stack.ports.imaps, security: 'tls' }))
        expect(next.dueSentItems()).toEqual([groupId])
        await retryReleased(deps)
        expect(next.group(groupId).sentItem).toEqual({ state: 'done', append: { state: 'ok', detail: 'Sent' } })
        expect(files('cut')).toEqual([])
        const stored = await inSent('abgerissen')
        expect(stored).toHaveLength(1)
        expectIdentical(stored[0], item, 'abgerissen')
        next.close()
      } finally {
        relay.server.close()
      }
    }, 120_000)

    it('an APPEND whose answer was lost is not repeated: the retry finds the Message-ID in Sent', async () => {
      const outbox = openOutbox('answer-lost', 'lauf-1')
      const deps = depsOf(outbox, accountOf({ host: suite.stack.host, port: suite.stack.ports.imaps, security: 'tls' }))
      const item = mail('antwort-verloren', base64Body(100_000))
      const groupId = await queue(deps, 'antwort-verloren', item)
      // The server took it, then the process died before recording it (as a kill -9 after the tagged OK would).
      await appendStreamed(await deps.account('advisor'), 'advisor-pw', {
        length: item.length,
        records: () => chunked(item),
      })
      for (const id of outbox.group(groupId).entries) {
        outbox.claim(id)
        outbox.markSending(id)
        outbox.markSent(id, null)
      }
      expect(outbox.claimSentItem(groupId)).not.toBeNull() // appending, by a process that is gone
      outbox.close()
      const next = openOutbox('answer-lost', 'lauf-2')
      next.recover()
      expect(next.dueSentItems()).toEqual([groupId])
      await retryReleased(depsOf(next, await deps.account('advisor')))
      expect(next.group(groupId).sentItem.append).toEqual({ state: 'ok', detail: 'Sent' })
      expect(await inSent('antwort-verloren')).toHaveLength(1)
      next.close()
    }, 60_000)

    it('a damaged record ends the connection before the literal is complete: nothing in Sent', async () => {
      const outbox = openOutbox('damaged')
      const deps = depsOf(outbox, accountOf({ host: suite.stack.host, port: suite.stack.ports.imaps, security: 'tls' }))
      const item = mail('beschaedigt', base64Body(5 * 1024 * 1024))
      const groupId = await queue(deps, 'beschaedigt', item)
      const path = join(suite.work, 'damaged', 'outbox-files', `${groupId}.sent.sealed`)
      const sealed = readFileSync(path)
      // A bit inside the third record; the last record (checked when the file is opened) stays intact.
      const at = 2 * 1024 * 1024
      sealed.writeUInt8(sealed.readUInt8(at) ^ 0x01, at)
      writeFileSync(path, sealed)
      const outcome = await sendGroup(deps, groupId)
      expect(outcome.messages.map((m) => m.state)).toEqual(['sent'])
      expect(outcome.sentItem?.state).toBe('failed')
      expect(await inSent('beschaedigt')).toEqual([])
      outbox.close()
    }, 60_000)
  },
)
