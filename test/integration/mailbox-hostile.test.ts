import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { connect, createServer, type Server, type TLSSocket } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SiegelpostError } from '../../main/core/errors/index.ts'
import { MailStore } from '../../main/core/mailbox/mail-store.ts'
import { syncFolder } from '../../main/core/mailbox/sync.ts'
import { openImap } from '../../main/core/transport/imap-session.ts'
import { serverTruth, writeCorpus } from '../helpers/mailbox-corpus.ts'
import { hasMailStack, mailStackFix, stackUserAccount, type MailStack } from '../helpers/mail-stack.ts'
import { mailStackSuite } from '../helpers/mail-stack-suite.ts'
import { skipUnless } from '../helpers/needs.ts'

/**
 * A hostile path between us and the real Dovecot: a TLS server (the stack's own certificate) that relays
 * to Dovecot and drops the connection once a FETCH of message bodies has sent `cutAfter` bytes. The sync
 * must fail with a clear code, keep every complete message it stored, and the next sync must finish the
 * folder with nothing twice.
 */
interface CuttingProxy {
  port: number
  /** Bytes of message data after which the next connection is cut (null: relay unchanged). */
  cutAfter: number | null
  cuts: number
  close: () => Promise<void>
}

async function startCuttingProxy(stack: MailStack, cutAfter: number): Promise<CuttingProxy> {
  const sockets = new Set<TLSSocket>()
  const proxy: CuttingProxy = { port: 0, cutAfter, cuts: 0, close: async () => undefined }
  const server: Server = createServer(
    {
      key: readFileSync(join(stack.root, 'pki', 'server.key.pem')),
      cert: readFileSync(join(stack.root, 'pki', 'server.pem')),
    },
    (client) => {
      const upstream = connect({ host: stack.host, port: 10993, ca: readFileSync(stack.caPath) })
      sockets.add(client).add(upstream)
      let fetched = 0
      let isFetching = false
      const limit = proxy.cutAfter
      upstream.on('data', (chunk: Buffer) => {
        if (limit !== null) {
          if (!isFetching && /FETCH \([^\r\n]*BODY\[\]/.test(chunk.toString('latin1'))) isFetching = true
          if (isFetching) fetched += chunk.length
          if (fetched > limit) {
            proxy.cutAfter = null
            proxy.cuts++
            client.destroy()
            upstream.destroy()
            return
          }
        }
        client.write(chunk)
      })
      client.on('data', (chunk: Buffer) => upstream.write(chunk))
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        a.on('error', () => b.destroy())
        a.on('close', () => b.destroy())
      }
    },
  )
  await new Promise<void>((resolve) => server.listen(0, stack.host, resolve))
  proxy.port = (server.address() as AddressInfo).port
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    })
  return proxy
}

describe.skipIf(skipUnless('Postfix and Dovecot', hasMailStack, mailStackFix))(
  'mailbox sync through a connection that drops mid-FETCH',
  () => {
    const suite = mailStackSuite('sp-mailbox-hostile-', { needsBuild: false })
    let proxy: CuttingProxy
    const count = 1000

    beforeAll(async () => {
      writeCorpus(suite.stack, count, randomBytes(4).toString('hex'))
      proxy = await startCuttingProxy(suite.stack, 1024 * 1024)
    }, 120_000)
    afterAll(async () => {
      await proxy?.close()
    })

    it('fails with MAILBOX_SYNC_INTERRUPTED, keeps what arrived, and the next sync completes the folder exactly', async () => {
      const account = stackUserAccount(suite.stack, 'advisor', 'advisor@kanzlei.test', {
        host: suite.stack.host,
        port: proxy.port,
        security: 'tls',
      })
      const store = new MailStore(join(suite.work, 'profile'), randomBytes(32))
      const sync = async () => {
        const session = await openImap(account, 'advisor-pw')
        try {
          return await syncFolder(session, store, account, 'INBOX', { now: () => new Date() })
        } finally {
          await session.client.logout().catch(() => session.client.close())
        }
      }
      try {
        const error = await sync().catch((e: unknown) => e)
        expect(proxy.cuts).toBe(1)
        expect(error).toBeInstanceOf(SiegelpostError)
        expect((error as SiegelpostError).code).toBe('MAILBOX_SYNC_INTERRUPTED')
        expect((error as SiegelpostError).localized('de')).toMatch(
          /wurde unterbrochen .* der nächste Abruf setzt dort fort/,
        )
        const kept = store.count()
        expect(kept).toBeGreaterThan(0)
        expect(kept).toBeLessThan(count)
        expect(store.folderState('advisor', 'INBOX')).toBeNull()

        const second = await sync()
        expect(second.stored).toHaveLength(count - kept)
        expect(second.total).toBe(count)
        const truth = await serverTruth(suite.stack)
        const rows = store.list({ account: 'advisor', folder: 'INBOX' })
        expect(rows).toHaveLength(truth.size)
        expect(new Set(rows.map((r) => r.uid))).toEqual(new Set(truth.keys()))
        for (const row of rows)
          expect(createHash('sha256').update(store.raw(row.id)!).digest('hex')).toBe(truth.get(row.uid)!.sha256)
        // Malformed messages are stored and listed with their state, not dropped.
        expect(rows.filter((r) => r.state === 'malformed').length).toBeGreaterThanOrEqual(1)
      } finally {
        store.close()
      }
    }, 300_000)
  },
)
