import { spawnSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Vault } from '../core/keys/vault.ts'
import type { TransportProfile } from '../core/transport/transport-profile.ts'
import { tempVault } from '../../test/helpers/openpgp-fixtures.ts'
import { createMailHandlers } from './mail-handlers.ts'

const crlf = (text: string) => text.replace(/\n/g, '\r\n')
const message = crlf(
  `Received: from mail.kanzlei.example (mail.kanzlei.example [192.0.2.1])\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\n\tby mx.mandant.example (Postfix) with ESMTPS id 1A; Thu, 12 Mar 2026 09:14:05 +0100\nFrom: "Kanzlei Berger" <info@kanzlei.example>\nTo: mia@mandant.example\nSubject: Unterlagen 2025\nDate: Thu, 12 Mar 2026 09:14:00 +0100\nMessage-ID: <u2025@kanzlei.example>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nAnbei die Unterlagen für 2025.\n`,
)
const hasPdftotext = spawnSync('pdftotext', ['-v']).status === 0

describe('mail:export-* and mail:print', () => {
  let vault: Vault
  let dir: string
  let close: () => Promise<void>
  const marks: { path: string; stream: string; content: string }[] = []
  const printed: { html: string; title: string }[] = []
  const asked: { suggestedName: string; kind: string }[] = []
  let handlers: ReturnType<typeof createMailHandlers>
  beforeAll(async () => {
    ;({ vault, dir, close } = await tempVault())
    const profile = async () =>
      ({
        profileDir: dir,
        vault,
        keychain: async () => Promise.reject(new Error('no')),
        now: () => new Date(),
        owner: 't',
      }) as TransportProfile
    handlers = createMailHandlers({
      getVault: async () => vault,
      now: () => new Date('2026-03-12T10:00:00Z'),
      profile,
      chooseSavePath: async (request) => (asked.push(request), join(dir, request.suggestedName)),
      checkedWith: 'Siegelpost 0.1.0-test',
      shell: {
        chooseMessageFile: async () => null,
        openPath: async () => undefined,
        platform: 'win32',
        markLayer: {
          setExtendedAttribute: async () => undefined,
          writeStream: async (path, stream, content) => void marks.push({ path, stream, content }),
        },
        print: async (page) => (printed.push(page), true),
      },
    })
  })
  afterAll(async () => close?.())

  const open = async () =>
    (
      await handlers['mail:open']({
        source: { kind: 'dropped', fileName: 'unterlagen.eml', data: Buffer.from(message).toString('base64') },
      })
    ).reading!

  it('saves the original message byte for byte, named by date and subject, with the download mark', async () => {
    const { readingId } = await open()
    const answer = await handlers['mail:export-eml']({ readingId })
    expect(answer).toEqual({ saved: true, fileName: '2026-03-12 Unterlagen 2025.eml', isMarked: true })
    expect(asked.at(-1)).toEqual({ suggestedName: '2026-03-12 Unterlagen 2025.eml', kind: 'message' })
    expect(Buffer.compare(await readFile(join(dir, answer.fileName)), Buffer.from(message))).toBe(0)
    expect(marks.at(-1)).toMatchObject({ stream: 'Zone.Identifier', content: '[ZoneTransfer]\r\nZoneId=3\r\n' })
  })

  it.skipIf(!hasPdftotext)('writes the PDF record in the chosen language, read back with pdftotext', async () => {
    const { readingId } = await open()
    for (const [lang, verdict, hop] of [
      ['de', 'Nicht Ende-zu-Ende-verschlüsselt', 'verschlüsselt (TLS 1.3)'],
      ['en', 'Not end-to-end encrypted', 'encrypted (TLS 1.3)'],
    ] as const) {
      const answer = await handlers['mail:export-pdf']({ readingId, lang })
      expect(answer.saved).toBe(true)
      const path = join(dir, answer.fileName)
      const text = spawnSync('pdftotext', ['-enc', 'UTF-8', path, '-'], { encoding: 'utf8' }).stdout.replace(
        /\s+/g,
        ' ',
      )
      expect(text).toContain(verdict)
      expect(text).toContain('Kanzlei Berger <info@kanzlei.example>')
      expect(text).toContain(hop)
      expect(text).toContain('mail.kanzlei.example')
      expect(text).toContain('Anbei die Unterlagen für 2025.')
      expect(text).toContain('<u2025@kanzlei.example>')
      expect(text).toContain('Siegelpost 0.1.0-test')
    }
    expect(asked.at(-1)?.kind).toBe('record')
  })

  it('prints the same record through the shell, and a closed reading is gone', async () => {
    const { readingId } = await open()
    expect(await handlers['mail:print']({ readingId, lang: 'de' })).toEqual({ printed: true })
    expect(printed.at(-1)?.html).toContain('Nicht Ende-zu-Ende-verschlüsselt')
    expect(printed.at(-1)?.title).toBe('Nachrichtenprotokoll: Unterlagen 2025')
    await handlers['mail:close']({ readingId })
    await expect(handlers['mail:export-eml']({ readingId })).rejects.toMatchObject({ code: 'READING_GONE' })
  })
})
