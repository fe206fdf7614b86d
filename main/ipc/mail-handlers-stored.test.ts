import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Vault } from '../core/keys/vault.ts'
import type { TransportProfile } from '../core/transport/transport-profile.ts'
import { tempVault } from '../../test/helpers/openpgp-fixtures.ts'
import { createMailHandlers, type StoredMessages } from './mail-handlers.ts'

const message = Buffer.from(
  'From: Kanzlei <info@kanzlei.example>\r\nTo: mia@mandant.example\r\nSubject: Unterlagen\r\nDate: Thu, 12 Mar 2026 09:14:00 +0100\r\n\r\nAnbei die Unterlagen.\r\n',
)

describe('mail:open of a stored message', () => {
  let vault: Vault
  let dir: string
  let close: () => Promise<void>
  const marked: string[] = []
  let seenAnswer: 'marked' | 'pending' | 'failed' = 'marked'
  const stored: StoredMessages = {
    read: async (id) => ({ bytes: message, fileName: `${id}.eml`, isSeen: id === 'read-before' }),
    markSeen: async (id) => (marked.push(id), seenAnswer),
    keepProtectedSubject: async () => undefined,
  }
  const handlersWith = (withStore: boolean) =>
    createMailHandlers({
      getVault: async () => vault,
      now: () => new Date('2026-03-12T10:00:00Z'),
      profile: async () =>
        ({
          profileDir: dir,
          vault,
          keychain: async () => Promise.reject(new Error('no')),
          now: () => new Date(),
        }) as unknown as TransportProfile,
      chooseSavePath: async () => null,
      shell: { chooseMessageFile: async () => null, openPath: async () => undefined },
      ...(withStore ? { stored } : {}),
    })
  beforeAll(async () => void ({ vault, dir, close } = await tempVault()))
  afterAll(async () => close?.())

  it('reads the stored bytes through the same reading path and marks an unread message read', async () => {
    const answer = await handlersWith(true)['mail:open']({ source: { kind: 'stored', id: 'unread-1' } })
    expect(answer.reading!.headers.subject).toBe('Unterlagen')
    expect(answer.reading!.summary.state).toBe('plain')
    expect(answer.seen).toBe('marked')
    expect(marked).toEqual(['unread-1'])
    // The window gets display parts, never the raw message.
    expect(JSON.stringify(answer)).not.toContain('Date: Thu, 12 Mar 2026')
  })

  it('leaves a read message as it is, and says so when the server cannot be reached', async () => {
    marked.length = 0
    const handlers = handlersWith(true)
    expect((await handlers['mail:open']({ source: { kind: 'stored', id: 'read-before' } })).seen).toBe('already')
    expect(marked).toEqual([])
    seenAnswer = 'pending'
    const offline = await handlers['mail:open']({ source: { kind: 'stored', id: 'unread-2' } })
    expect(offline.reading!.headers.subject).toBe('Unterlagen')
    expect(offline.seen).toBe('pending')
  })

  it('a message from a file is not marked, and without a store a stored id cannot be opened', async () => {
    const dropped = await handlersWith(true)['mail:open']({
      source: { kind: 'dropped', fileName: 'm.eml', data: message.toString('base64') },
    })
    expect(dropped.seen).toBeNull()
    await expect(handlersWith(false)['mail:open']({ source: { kind: 'stored', id: 'x' } })).rejects.toMatchObject({
      code: 'READING_SOURCE_NOT_READY',
    })
  })
})
