import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mailboxChannels } from '../../preload/mailbox-contract.ts'
import { tempVault } from '../../test/helpers/openpgp-fixtures.ts'
import type { Vault } from '../core/keys/vault.ts'
import { limits } from '../core/limits.ts'
import { MailStore } from '../core/mailbox/mail-store.ts'
import type { RegistryDeps } from './handler-deps.ts'
import { mailboxHandlers } from './mailbox-handlers.ts'

const mail = (i: number, subject: string) =>
  Buffer.from(
    `From: Kanzlei <info@kanzlei.test>\r\nTo: mia@mandant.test\r\nSubject: ${subject}\r\n` +
      `Date: ${new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString()}\r\n\r\nText ${i}\r\n`,
  )

/** `mailbox:list` as the window calls it: the request checked by the contract, the answer too. */
describe('mailbox:list answers a window of the folder', () => {
  let vault: Vault
  let dir: string
  let close: () => Promise<void>
  let list: (request: unknown) => Promise<ReturnType<(typeof mailboxChannels)['mailbox:list']['res']['parse']>>
  const ids: string[] = []

  beforeAll(async () => {
    ;({ vault, dir, close } = await tempVault())
    const store = new MailStore(dir, vault.deriveKey('messages'))
    store.transaction(() => {
      for (let i = 1; i <= 1200; i++)
        ids.push(
          store.add('kanzlei', 'INBOX', '1', i, mail(i, i % 100 === 0 ? `Bescheid ${i}` : `Beleg ${i}`), new Date())!,
        )
      store.add('kanzlei', 'Archiv', '1', 1, mail(1, 'Bescheid im Archiv'), new Date())
    })
    store.close()
    const handlers = mailboxHandlers({
      getVault: async () => vault,
      now: () => new Date('2026-12-05T00:00:00Z'),
      transport: { profileDir: dir, keychain: async () => Promise.reject(new Error('no keychain')), owner: 'test' },
    } as unknown as RegistryDeps)
    const channel = mailboxChannels['mailbox:list']
    list = async (request) => channel.res.parse(await handlers['mailbox:list'](channel.req.parse(request)))
  })
  afterAll(async () => close?.())

  it('pages newest first with the totals, and the pages meet without a gap or a repeat', async () => {
    const ref = { account: 'kanzlei', folder: 'INBOX' }
    const pages = await Promise.all([0, 1, 2, 3].map((p) => list({ ...ref, offset: p * 400, limit: 400 })))
    expect(pages.map((p) => p.rows.length)).toEqual([400, 400, 400, 0])
    expect(pages[0]).toMatchObject({ offset: 0, total: 1200, all: 1200, sort: 'newest', foundAt: null })
    expect(pages.flatMap((p) => p.rows.map((r) => r.id))).toEqual([...ids].reverse())
    expect(pages[0]!.rows[0]).toMatchObject({ subject: 'Bescheid 1200', isUnread: true, isFlagged: false })
    // Without a limit the answer is still bounded.
    expect((await list(ref)).rows).toHaveLength(limits.mailboxListPageMaxRows)
  })

  it('searches and sorts in main, and says where the selected message is now', async () => {
    const ref = { account: 'kanzlei', folder: 'INBOX' }
    const found = await list({ ...ref, search: 'bescheid', limit: 5, offset: 10 })
    expect(found).toMatchObject({ total: 12, all: 1200, offset: 10 })
    expect(found.rows.map((r) => r.subject)).toEqual(['Bescheid 200', 'Bescheid 100'])
    const oldest = await list({ ...ref, sort: 'oldest', limit: 3, find: ids[1199] })
    expect(oldest.rows.map((r) => r.subject)).toEqual(['Beleg 1', 'Beleg 2', 'Beleg 3'])
    expect(oldest.foundAt).toBe(1199)
    expect((await list({ ...ref, limit: 1, find: ids[1199] })).foundAt).toBe(0)
    expect((await list({ ...ref, limit: 1, find: 'gone' })).foundAt).toBeNull()
  })

  it('refuses a window larger than the limit, a negative offset and an unknown order', () => {
    const req = mailboxChannels['mailbox:list'].req
    const ref = { account: 'kanzlei', folder: 'INBOX' }
    expect(req.safeParse({ ...ref, limit: limits.mailboxListPageMaxRows + 1 }).success).toBe(false)
    expect(req.safeParse({ ...ref, offset: -1 }).success).toBe(false)
    expect(req.safeParse({ ...ref, sort: 'subject' }).success).toBe(false)
    expect(req.safeParse({ ...ref, offset: 0, limit: 100, sort: 'oldest', find: ids[0] }).success).toBe(true)
  })
})
