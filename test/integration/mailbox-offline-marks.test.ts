import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { createAppCore } from '../../main/app-core.ts'
import { limits } from '../../main/core/limits.ts'
import { mailStoreFileName } from '../../main/core/mailbox/mail-store.ts'
import { doveadm } from '../helpers/mailbox-corpus.ts'
import { asStackUser, hasMailStack, mailStackFix, startMailStack, type MailStack } from '../helpers/mail-stack.ts'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt, runCliAsync } from '../helpers/run-cli.ts'
import { addStackAccountToProfile } from '../helpers/stack-account-profile.ts'
import { watchingCore } from '../helpers/watching-core.ts'
import { holdWriteLock, timedTicks } from '../helpers/store-lock.ts'

/**
 * Offline flag changes against the real Dovecot: with Dovecot stopped, read/unread and flag changes in the
 * window wait (sealed rows of the message store, shown as waiting), survive a restart of the app, and are written to the
 * server first when it is back — by the window's sync, or by the new-mail watch reconnecting. A delete offline
 * waits the same way and moves the message to Trash then; deleting for good in Trash does not wait.
 */
const user = 'advisor@kanzlei.test'
const passphrase = 'offline-marks-vault-passphrase'

const mail = (subject: string) =>
  `From: Kanzlei Berger <info@kanzlei-berger.example>\r\nTo: ${user}\r\nSubject: ${subject}\r\n` +
  `Date: ${new Date().toUTCString()}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@x.example>\r\n\r\nText\r\n`

describe.skipIf(skipUnless('Postfix and Dovecot', hasMailStack, mailStackFix))(
  'flag changes made offline wait for the server',
  () => {
    let stack: MailStack
    let dir: string
    const cores: ReturnType<typeof createAppCore>[] = []
    const profile = () => join(dir, 'profile')
    const conf = () => join(stack.root, 'dovecot', 'dovecot.conf')

    const startCore = (watchMail: boolean) => {
      const core = watchingCore(profile(), passphrase, { watchMail })
      cores.push(core)
      return core
    }
    const serverFlags = (subject: string, folder = 'INBOX') =>
      asStackUser(stack, user, async (client) => {
        const lock = await client.getMailboxLock(folder, { readOnly: true })
        try {
          for await (const m of client.fetch('1:*', { flags: true, envelope: true }, { uid: true }))
            if (m.envelope?.subject === subject) return [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort()
          return null
        } finally {
          lock.release()
        }
      })
    /** The waiting marks as the store's file holds them (read by a connection of its own). */
    const waitingOnDisk = () => {
      const db = new DatabaseSync(join(profile(), mailStoreFileName), { readOnly: true })
      try {
        return db.prepare('SELECT ref, intent FROM pending_marks').all() as { ref: string; intent: Uint8Array }[]
      } finally {
        db.close()
      }
    }
    const rowsOf = async (core: ReturnType<typeof createAppCore>) =>
      (await core.handlers['mailbox:list']({ account: 'kanzlei', folder: 'INBOX' })).rows
    const rowOf = async (core: ReturnType<typeof createAppCore>, subject: string) =>
      (await rowsOf(core)).find((r) => r.subject === subject)!
    const sync = async (core: ReturnType<typeof createAppCore>) => {
      await core.handlers['mailbox:sync']({})
      await expect
        .poll(async () => (await core.handlers['mailbox:sync-status'](undefined)).isRunning, { timeout: 30_000 })
        .toBe(false)
      return core.handlers['mailbox:sync-status'](undefined)
    }
    const stopDovecot = () => {
      try {
        doveadm(stack, ['kick', user])
      } catch {
        // no session to kick (doveadm exits with an error then)
      }
      doveadm(stack, ['stop'])
    }
    // Started again as mailstack.sh starts it (its own config, no terminal).
    const startDovecot = () => execFileSync('dovecot', ['-c', conf()], { stdio: 'ignore' })

    beforeAll(async () => {
      assertBuilt()
      stack = startMailStack()
      dir = await mkdtemp(join(tmpdir(), 'sp-offline-marks-'))
      addStackAccountToProfile(stack, user, { profile: profile(), passphrase, dir })
      for (const subject of ['Steuerbescheid 2025', 'Lohnunterlagen Mai', 'Jahresabschluss 2025', 'Beleg Juni'])
        doveadm(stack, ['save', '-u', user, '-m', 'INBOX'], mail(subject))
      doveadm(stack, ['flags', 'add', '-u', user, '\\Seen', 'mailbox', 'INBOX', 'subject', 'Jahresabschluss 2025'])
    }, 120_000)
    afterAll(async () => {
      for (const core of cores) await core.stop().catch(() => undefined)
      try {
        startDovecot()
      } catch {
        // already running
      }
      stack?.stop()
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    it('offline the changes and a delete wait (shown as waiting, kept sealed), also across a restart', async () => {
      const core = startCore(false)
      expect((await sync(core)).errors).toEqual([])
      expect((await rowsOf(core)).length).toBe(4)
      stopDovecot()
      try {
        const flagged = await core.handlers['mailbox:flag']({
          id: (await rowOf(core, 'Steuerbescheid 2025')).id,
          change: 'flagged',
        })
        expect(flagged).toMatchObject({ isFlagged: true, isUnread: true, waiting: ['flagged'] })
        const unread = await core.handlers['mailbox:flag']({
          id: (await rowOf(core, 'Jahresabschluss 2025')).id,
          change: 'unseen',
        })
        expect(unread).toMatchObject({ isUnread: true, waiting: ['seen'] })
        // Flag and back again: nothing waits for that message.
        const id = (await rowOf(core, 'Beleg Juni')).id
        await core.handlers['mailbox:flag']({ id, change: 'flagged' })
        expect(await core.handlers['mailbox:flag']({ id, change: 'unflagged' })).toMatchObject({
          isFlagged: false,
          waiting: [],
        })
        // Delete: the move to Trash waits, the message stays listed and marked until then.
        expect(await core.handlers['mailbox:delete']({ id })).toEqual({ folder: null, waiting: true })
        expect(await rowOf(core, 'Beleg Juni')).toMatchObject({ waiting: ['trash'] })
        expect((await rowsOf(core)).length).toBe(4)
        const folders = await core.handlers['mailbox:folders'](undefined)
        expect(folders.accounts[0]!.folders.find((f) => f.name === 'INBOX')!.unread).toBe(4)
        const waiting = waitingOnDisk()
        expect(waiting).toHaveLength(3)
        for (const row of waiting)
          for (const word of [flagged.id, 'flagged', 'seen', 'trash'])
            expect(Buffer.from(row.intent).includes(Buffer.from(word))).toBe(false)
        await core.stop()

        // A restart keeps what waits.
        const again = startCore(false)
        expect(await rowOf(again, 'Steuerbescheid 2025')).toMatchObject({ isFlagged: true, waiting: ['flagged'] })
        expect(await rowOf(again, 'Jahresabschluss 2025')).toMatchObject({ isUnread: true, waiting: ['seen'] })
        expect(await rowOf(again, 'Beleg Juni')).toMatchObject({ waiting: ['trash'] })
        expect((await sync(again)).errors.length).toBeGreaterThan(0)
        expect(await rowOf(again, 'Steuerbescheid 2025')).toMatchObject({ waiting: ['flagged'] })
      } finally {
        startDovecot()
      }
    }, 90_000)

    it("the window's sync writes them to the server first, then nothing waits", async () => {
      const core = startCore(false)
      expect((await sync(core)).errors).toEqual([])
      expect(await serverFlags('Steuerbescheid 2025')).toEqual(['\\Flagged'])
      expect(await serverFlags('Jahresabschluss 2025')).toEqual([])
      // The message waiting for Trash is there now, on the server and in the store.
      expect(await serverFlags('Beleg Juni')).toBeNull()
      expect(await serverFlags('Beleg Juni', 'Trash')).toEqual([])
      expect((await rowsOf(core)).map((r) => r.subject)).not.toContain('Beleg Juni')
      const trash = await core.handlers['mailbox:list']({ account: 'kanzlei', folder: 'Trash' })
      expect(trash.rows.map((r) => [r.subject, r.waiting])).toEqual([['Beleg Juni', []]])
      expect(await rowOf(core, 'Steuerbescheid 2025')).toMatchObject({ isFlagged: true, waiting: [] })
      expect(await rowOf(core, 'Jahresabschluss 2025')).toMatchObject({ isUnread: true, waiting: [] })
      expect(waitingOnDisk()).toEqual([])
      await core.stop()
    }, 60_000)

    it('the new-mail watch reconnecting writes them too, and tells the window', async () => {
      const core = startCore(true)
      await expect
        .poll(async () => (await core.handlers['mailbox:changes']({ after: -1, lang: 'de' })).watching[0]?.state, {
          timeout: 20_000,
        })
        .toBe('watching')
      stopDovecot()
      let before: number
      try {
        await expect
          .poll(async () => (await core.handlers['mailbox:changes']({ after: -1, lang: 'de' })).watching[0]?.state, {
            timeout: 20_000,
          })
          .toBe('offline')
        const id = (await rowOf(core, 'Lohnunterlagen Mai')).id
        expect(await core.handlers['mailbox:flag']({ id, change: 'seen' })).toMatchObject({
          isUnread: false,
          waiting: ['seen'],
        })
        // Deleting for good (in Trash) does not wait: it says the server is needed and changes nothing.
        const inTrash = (await core.handlers['mailbox:list']({ account: 'kanzlei', folder: 'Trash' })).rows[0]!
        const error = await core.handlers['mailbox:delete']({ id: inTrash.id }).catch((e: unknown) => e)
        expect((error as { code?: string }).code).toBe('MAILBOX_OFFLINE')
        expect((await core.handlers['mailbox:list']({ account: 'kanzlei', folder: 'Trash' })).rows[0]!.waiting).toEqual(
          [],
        )
        before = (await core.handlers['mailbox:changes']({ after: -1, lang: 'de' })).seq
      } finally {
        startDovecot()
      }
      await expect.poll(() => serverFlags('Lohnunterlagen Mai'), { timeout: 40_000, interval: 500 }).toEqual(['\\Seen'])
      const answer = await core.handlers['mailbox:changes']({ after: before, lang: 'de' })
      expect(answer.changes.some((c) => c.changed > 0)).toBe(true)
      expect(await rowOf(core, 'Lohnunterlagen Mai')).toMatchObject({ isUnread: false, waiting: [] })
    }, 90_000)

    it("the CLI's fetch, while the window is open, writes what the window queued; the window sees it", async () => {
      // The watch of the test before would write the mark when Dovecot is back: only the CLI may here.
      for (const running of cores.splice(0)) await running.stop().catch(() => undefined)
      const core = startCore(false)
      stopDovecot()
      try {
        const id = (await rowOf(core, 'Steuerbescheid 2025')).id
        expect(await core.handlers['mailbox:flag']({ id, change: 'unflagged' })).toMatchObject({
          isFlagged: false,
          waiting: ['flagged'],
        })
      } finally {
        startDovecot()
      }
      expect(waitingOnDisk()).toHaveLength(1)
      const fetched = await runCliAsync([
        'fetch',
        '--account',
        'kanzlei',
        '--profile',
        profile(),
        '--vault-passphrase-file',
        join(dir, 'vault-pass'),
        '--json',
      ])
      expect(fetched.status, fetched.stderr).toBe(0)
      expect(await serverFlags('Steuerbescheid 2025')).toEqual([])
      expect(waitingOnDisk()).toEqual([])
      expect(await rowOf(core, 'Steuerbescheid 2025')).toMatchObject({ isFlagged: false, waiting: [] })
    }, 90_000)

    it("the window's flag while another process holds the store: the event loop runs on; too long says the server has it", async () => {
      for (const running of cores.splice(0)) await running.stop().catch(() => undefined)
      doveadm(stack, ['save', '-u', user, '-m', 'INBOX'], mail('Quittung Juli'))
      const core = startCore(false)
      expect((await sync(core)).errors).toEqual([])
      const id = (await rowOf(core, 'Quittung Juli')).id
      const hold = (ms: number) => holdWriteLock(join(profile(), mailStoreFileName), ms)
      const held = hold(2500)
      await held.locked
      const timed = await timedTicks(() => core.handlers['mailbox:flag']({ id, change: 'flagged' }))
      const flagged = timed.result
      expect(timed.took).toBeGreaterThan(1500)
      expect(timed.longest).toBeLessThan(1000)
      expect(flagged).toMatchObject({ id, isFlagged: true, waiting: [] })
      await held.exited

      const retries = limits.storeBusyRetryMs
      ;(limits as { storeBusyRetryMs: number }).storeBusyRetryMs = 600
      const stuck = hold(60_000)
      try {
        await stuck.locked
        await expect(core.handlers['mailbox:flag']({ id, change: 'seen' })).rejects.toMatchObject({
          code: 'STORE_BUSY_SERVER_DONE',
          params: { action: 'flag seen', id },
        })
      } finally {
        ;(limits as { storeBusyRetryMs: number }).storeBusyRetryMs = retries
        stuck.child.kill()
        await stuck.exited
      }
      expect(await serverFlags('Quittung Juli')).toEqual(['\\Flagged', '\\Seen'])
      // The next sync brings the store up to the server: read, and nothing waits.
      expect((await sync(core)).errors).toEqual([])
      await expect
        .poll(async () => rowOf(core, 'Quittung Juli'), { timeout: 10_000 })
        .toMatchObject({ isUnread: false, isFlagged: true, waiting: [] })
    }, 90_000)

    it("the CLI's flag, move and delete void what the window queued offline: a later flush undoes nothing", async () => {
      for (const running of cores.splice(0)) await running.stop().catch(() => undefined)
      doveadm(stack, ['mailbox', 'create', '-u', user, 'Archiv'])
      const core = startCore(false)
      expect((await sync(core)).errors).toEqual([])
      stopDovecot()
      let flagged: string
      let moved: string
      let deleted: string
      try {
        flagged = (await rowOf(core, 'Jahresabschluss 2025')).id
        expect(await core.handlers['mailbox:flag']({ id: flagged, change: 'flagged' })).toMatchObject({
          waiting: ['flagged'],
        })
        moved = (await rowOf(core, 'Steuerbescheid 2025')).id
        expect(await core.handlers['mailbox:delete']({ id: moved })).toEqual({ folder: null, waiting: true })
        deleted = (await rowOf(core, 'Lohnunterlagen Mai')).id
        expect(await core.handlers['mailbox:delete']({ id: deleted })).toEqual({ folder: null, waiting: true })
      } finally {
        startDovecot()
      }
      await core.stop()
      expect(waitingOnDisk()).toHaveLength(3)
      const cli = (...args: string[]) =>
        runCliAsync([...args, '--profile', profile(), '--vault-passphrase-file', join(dir, 'vault-pass')])
      for (const args of [
        ['mail', 'flag', flagged, '--unflagged'],
        ['mail', 'move', moved, '--to', 'Archiv'],
        ['mail', 'delete', deleted],
      ]) {
        const done = await cli(...args)
        expect(done.status, done.stderr).toBe(0)
      }
      expect(waitingOnDisk()).toEqual([])
      // A fetch afterwards (the next flush) leaves the CLI's changes as they are.
      const fetched = await cli('fetch', '--account', 'kanzlei', '--all-folders')
      expect(fetched.status, fetched.stderr).toBe(0)
      expect(await serverFlags('Jahresabschluss 2025')).toEqual([])
      expect(await serverFlags('Steuerbescheid 2025', 'Archiv')).toEqual([])
      expect(await serverFlags('Steuerbescheid 2025', 'Trash')).toBeNull()
      expect(await serverFlags('Lohnunterlagen Mai', 'Trash')).toEqual(['\\Seen'])
    }, 90_000)
  },
)
