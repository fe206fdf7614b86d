import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SiegelpostError } from '../core/errors/index.ts'
import type { Vault } from '../core/keys/vault.ts'
import type { TransportProfile } from '../core/transport/transport-profile.ts'
import { tempVault } from '../../test/helpers/openpgp-fixtures.ts'
import { createMailHandlers } from './mail-handlers.ts'

const crlf = (text: string) => text.replace(/\n/g, '\r\n')
const program = Buffer.from('MZ\x90\x00 not really a program')
const message = crlf(
  `From: "Kanzlei <chef@bank.example>" <info@kanzlei.example>\nTo: mia@mandant.example\nSubject: Unterlagen\nDate: Thu, 12 Mar 2026 09:14:00 +0100\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain; charset=utf-8\n\nAnbei das Programm.\n--b\nContent-Type: application/octet-stream; name="setup.exe"\nContent-Disposition: attachment; filename="setup.exe"\nContent-Transfer-Encoding: base64\n\n${program.toString('base64')}\n--b--\n`,
)

describe('mail:* handlers', () => {
  let vault: Vault
  let dir: string
  let close: () => Promise<void>
  const streams: { path: string; stream: string; content: string }[] = []
  const opened: string[] = []
  let handlers: ReturnType<typeof createMailHandlers>
  beforeAll(async () => {
    ;({ vault, dir, close } = await tempVault())
    const profile = async () =>
      ({
        profileDir: dir,
        vault,
        keychain: async () => Promise.reject(new Error('no')),
        now: () => new Date(),
        owner: 'test',
      }) as TransportProfile
    handlers = createMailHandlers({
      getVault: async () => vault,
      now: () => new Date('2026-03-12T10:00:00Z'),
      profile,
      chooseSavePath: async ({ suggestedName }) => join(dir, suggestedName),
      shell: {
        chooseMessageFile: async () => null,
        openPath: async (path) => void opened.push(path),
        platform: 'win32',
        markLayer: {
          setExtendedAttribute: async () => undefined,
          writeStream: async (path, stream, content) => void streams.push({ path, stream, content }),
        },
      },
    })
  })
  afterAll(async () => close?.())

  const dropped = () =>
    handlers['mail:open']({
      source: { kind: 'dropped', fileName: 'mail.eml', data: Buffer.from(message).toString('base64') },
    })

  it('opens a dropped message into display parts, shows the real From address and records the sender', async () => {
    const { reading } = await dropped()
    // The display name is a spoofing trick (another address): the real address stays beside it.
    expect(reading!.headers.fromAddresses).toEqual(['info@kanzlei.example'])
    expect(reading!.headers.fromName).toBe('Kanzlei <chef@bank.example>')
    expect(reading!.summary.state).toBe('plain')
    expect(reading!.parts.map((p) => p.kind)).toEqual(['text', 'attachment'])
    expect(reading!.attachments[0]).toMatchObject({ filename: 'setup.exe', isRisky: true, encrypted: false })
    expect(reading!.warnings.map((w) => w.code)).toContain('first-contact')
    expect(vault.contents.senders?.map((s) => s.address)).toEqual(['info@kanzlei.example'])
  })

  it('saves in chunks with the Windows zone mark, and opens a program only after the question', async () => {
    const { reading } = await dropped()
    const id = reading!.readingId
    await expect(handlers['mail:open-attachment']({ readingId: id, index: 0, confirmed: false })).rejects.toMatchObject(
      { code: 'READING_NOT_SAVED' },
    )
    expect(await handlers['mail:save-attachment']({ readingId: id, index: 0 })).toEqual({
      saved: true,
      fileName: 'setup.exe',
      isMarked: true,
    })
    expect(Buffer.compare(await readFile(join(dir, 'setup.exe')), program)).toBe(0)
    expect(streams).toEqual([
      { path: join(dir, 'setup.exe'), stream: 'Zone.Identifier', content: '[ZoneTransfer]\r\nZoneId=3\r\n' },
    ])
    expect(await handlers['mail:open-attachment']({ readingId: id, index: 0, confirmed: false })).toEqual({
      opened: false,
      needsConfirmation: true,
    })
    expect(opened).toEqual([])
    expect(await handlers['mail:open-attachment']({ readingId: id, index: 0, confirmed: true })).toEqual({
      opened: true,
      needsConfirmation: false,
    })
    expect(opened).toEqual([join(dir, 'setup.exe')])
  })

  it('opens a dropped .eml by its path, and reads nothing but a regular .eml file that way', async () => {
    const path = join(dir, 'Abgelegt.EML')
    await writeFile(path, message)
    const { reading } = await handlers['mail:open']({ source: { kind: 'dropped-path', path } })
    expect(reading!.headers.subject).toBe('Unterlagen')
    expect(reading!.attachments[0]).toMatchObject({ filename: 'setup.exe' })
    await writeFile(join(dir, 'notes.txt'), message)
    await expect(
      handlers['mail:open']({ source: { kind: 'dropped-path', path: join(dir, 'notes.txt') } }),
    ).rejects.toMatchObject({ code: 'READING_NOT_A_MESSAGE' })
    await mkdir(join(dir, 'folder.eml'))
    await expect(
      handlers['mail:open']({ source: { kind: 'dropped-path', path: join(dir, 'folder.eml') } }),
    ).rejects.toMatchObject({ code: 'READING_NOT_A_MESSAGE' })
  })

  it('opens the same message again as a new reading and forgets closed ones', async () => {
    const { reading } = await dropped()
    const again = await handlers['mail:open']({ source: { kind: 'again', readingId: reading!.readingId } })
    expect(again.reading!.readingId).not.toBe(reading!.readingId)
    await expect(handlers['mail:save-attachment']({ readingId: reading!.readingId, index: 0 })).rejects.toMatchObject({
      code: 'READING_GONE',
    })
    await handlers['mail:close']({ readingId: again.reading!.readingId })
    await expect(
      handlers['mail:save-attachment']({ readingId: again.reading!.readingId, index: 0 }),
    ).rejects.toBeInstanceOf(SiegelpostError)
  })

  it('says clearly that stored messages are not available here yet, and treats a cancelled dialog as cancelled', async () => {
    await expect(handlers['mail:open']({ source: { kind: 'stored', id: '42' } })).rejects.toMatchObject({
      code: 'READING_SOURCE_NOT_READY',
    })
    expect(await handlers['mail:open']({ source: { kind: 'dialog' } })).toEqual({ cancelled: true, reading: null })
  })

  it('names a message file that cannot be read', async () => {
    const reading = createMailHandlers({
      getVault: async () => vault,
      now: () => new Date(),
      profile: async () => ({ profileDir: dir, vault }) as unknown as TransportProfile,
      chooseSavePath: async () => null,
      shell: { chooseMessageFile: async () => join(dir, 'fehlt.eml'), openPath: async () => undefined },
    })
    await expect(reading['mail:open']({ source: { kind: 'dialog' } })).rejects.toMatchObject({
      code: 'FILE_UNREADABLE',
    })
  })

  it('refuses a file that is not a message', async () => {
    await expect(
      handlers['mail:open']({
        source: {
          kind: 'dropped',
          fileName: 'bild.png',
          data: Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64'),
        },
      }),
    ).rejects.toMatchObject({ code: 'READING_NOT_A_MESSAGE' })
  })
})
