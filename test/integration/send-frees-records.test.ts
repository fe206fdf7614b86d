import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Account } from '../../main/core/transport/account.ts'
import { appendStreamed } from '../../main/core/transport/imap-append.ts'
import { submit } from '../../main/core/transport/smtp-submit.ts'
import { asStackUser, hasMailStack, mailStackFix, startMailStack, type MailStack } from '../helpers/mail-stack.ts'
import { skipUnless } from '../helpers/needs.ts'
import { octetMail } from '../helpers/octet-mail.ts'

/**
 * SMTP and the streamed Sent APPEND free each chunk of a message that is its own (an Outbox record) as soon as the
 * TLS socket has written it (releaseBytes), instead of leaving it to V8's next collection. Against the real Postfix
 * and Dovecot: the chunks are freed (their buffers empty) and still arrive byte for byte; a chunk that SMTP had to
 * dot-stuff was copied on the way and stays as it was; chunks that are not the message's own are left alone.
 */
const user = 'advisor@kanzlei.test'
const mib = 1024 * 1024

const mail = (tag: string, body: Buffer) => octetMail(tag, body, user)

/** Base64 lines (CRLF) of random bytes; with `dotAt`, a line starting with "." at that chunk (SMTP stuffs it). */
function body(chunks: number, dotAt = -1): Buffer[] {
  return Array.from({ length: chunks }, (_, i) => {
    const lines = randomBytes(mib / 2)
      .toString('base64')
      .match(/.{1,76}/g)!
    if (i === dotAt) lines[3] = `.${lines[3]!.slice(1)}`
    return Buffer.from(`${lines.join('\r\n')}\r\n`)
  })
}

/** Fresh copies, each a buffer of its own (as the Outbox's records are). */
const own = (chunks: Buffer[]) => chunks.map((chunk) => Buffer.from(chunk))
const settled = () => new Promise((resolve) => setImmediate(resolve))

describe.skipIf(skipUnless('Postfix and Dovecot', hasMailStack, mailStackFix))(
  'sending frees the message records once written',
  () => {
    let stack: MailStack
    let account: Account
    /** Dovecot's maildir keeps lines as LF. */
    const asStored = (raw: Buffer) => Buffer.from(raw.toString('latin1').replaceAll('\r\n', '\n'), 'latin1')
    const delivered = (tag: string): Buffer[] => {
      const base = join(stack.root, 'maildirs', 'mandant.test', 'client')
      return ['new', 'cur']
        .flatMap((sub) => {
          try {
            return readdirSync(join(base, sub)).map((name) => readFileSync(join(base, sub, name)))
          } catch {
            return []
          }
        })
        .filter((raw) => raw.includes(`Message-ID: <${tag}@kanzlei.test>`))
        .map((raw) => raw.subarray(raw.indexOf(`From: ${user}`)))
    }
    const expectIdentical = (got: Buffer | undefined, want: Buffer, what: string) => {
      expect(got, what).toBeDefined()
      const differs = got!.findIndex((byte, i) => byte !== want[i])
      expect({ length: got!.length, differs }, what).toEqual({ length: want.length, differs: -1 })
    }

    beforeAll(() => {
      stack = startMailStack({ messageSizeLimit: 32 * 1024 * 1024 })
      account = {
        name: 'advisor',
        email: user,
        user,
        smtp: { host: stack.host, port: stack.ports.submissions, security: 'tls' },
        imap: { host: stack.host, port: stack.ports.imaps, security: 'tls' },
        ca: readFileSync(stack.caPath, 'utf8'),
        pin: null,
        password: { store: 'sealed', value: '' },
        created: new Date().toISOString(),
      }
    }, 120_000)
    afterAll(() => stack?.stop())

    it('SMTP: the chunks of its own are freed once written; the stuffed one stays; the mail arrives exact', async () => {
      const tag = 'smtp-frei'
      const parts = [mail(tag, Buffer.alloc(0)), ...body(6, 2)]
      const raw = Buffer.concat(parts)
      const chunks = own(parts)
      const owned = new WeakSet<Uint8Array>(chunks)
      const result = await submit({
        account,
        password: 'advisor-pw',
        envelope: { from: user, to: ['client@mandant.test'] },
        message: { size: raw.length, stream: () => Readable.from(chunks, { objectMode: false }), owned },
        decideRequireTls: () => false,
        onTransfer: async () => undefined,
      })
      expect(result.rejected).toEqual([])
      await settled()
      // The header block is below releaseBytes' threshold; the stuffed chunk was copied by nodemailer, not written.
      expect(chunks.map((chunk) => chunk.length)).toEqual(
        parts.map((part, i) => (i === 0 || i === 3 ? part.length : 0)),
      )
      await expect.poll(() => delivered(tag).length, { timeout: 30_000 }).toBe(1)
      expectIdentical(delivered(tag)[0], asStored(raw), tag)
    })

    it('the Sent APPEND frees records of their own once written and leaves others alone; Sent has it exact', async () => {
      for (const [tag, isOwned] of [
        ['append-frei', true],
        ['append-fremd', false],
      ] as const) {
        const parts = [mail(tag, Buffer.alloc(0)), ...body(4)]
        const raw = Buffer.concat(parts)
        const records = own(parts)
        const result = await appendStreamed(account, 'advisor-pw', {
          length: raw.length,
          records: async function* () {
            yield* records
          },
          containsNul: false,
          recordsAreOwned: isOwned,
        })
        expect(result.existed, tag).toBe(false)
        await settled()
        const lengths = records.map((record) => record.length)
        expect(lengths, tag).toEqual(parts.map((part, i) => (isOwned && i > 0 ? 0 : part.length)))
        const stored = await asStackUser(stack, user, async (client) => {
          const lock = await client.getMailboxLock('Sent')
          try {
            const uids =
              (await client.search({ header: { 'message-id': `<${tag}@kanzlei.test>` } }, { uid: true })) || []
            const found = await client.fetchOne(String(uids[0]), { source: true }, { uid: true })
            return found ? found.source : undefined
          } finally {
            lock.release()
          }
        })
        expectIdentical(stored, raw, tag)
      }
    })
  },
)
