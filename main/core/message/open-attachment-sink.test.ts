import { createHash, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { SiegelpostError } from '../errors/index.ts'
import { attachmentEntity, concatBytes, entity, multipart, textEntity } from '../mime/build.ts'
import { openMessage } from './open.ts'
import type { AttachmentSink } from './technology.ts'

/**
 * `open --save-attachments` decodes each attachment once: the sink gets the chunks of the pass that also gives
 * the document's size and SHA-256. The document's figures must be those of exactly the bytes the sink took.
 */
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

const pdf = randomBytes(3 * 1024 * 1024 + 7)
const table = randomBytes(1)
const note = 'Grüße aus der Kanzlei\r\n'.repeat(40)
const mail = concatBytes([
  new TextEncoder().encode(
    'From: anna@kanzlei.test\r\nTo: bernd@mandant.test\r\nSubject: Belege\r\nMIME-Version: 1.0\r\n',
  ),
  multipart('mixed', {}, [
    textEntity('Anbei die Belege.\n'),
    attachmentEntity('Belege.pdf', 'application/pdf', pdf),
    attachmentEntity('Belege.pdf', 'application/octet-stream', table),
    entity(
      [
        ['Content-Type', 'text/plain; charset=utf-8'],
        ['Content-Disposition', 'attachment; filename="notiz.txt"'],
        ['Content-Transfer-Encoding', 'quoted-printable'],
      ],
      note.replace(/ü/g, '=C3=BC').replace(/ß/g, '=C3=9F'),
    ),
    attachmentEntity('leer.bin', 'application/octet-stream', new Uint8Array(0)),
  ]),
])
const originals = [pdf, table, new TextEncoder().encode(note), new Uint8Array(0)]

const context = (attachmentSink?: AttachmentSink) => ({
  keys: [],
  now: new Date(),
  ...(attachmentSink ? { attachmentSink } : {}),
})

describe('the attachment sink of openMessage', () => {
  it('receives every attachment once, in order, and the document reports the size and SHA-256 of what it took', async () => {
    const taken: { index: number; filename: string; bytes: Uint8Array }[] = []
    const opened = await openMessage(
      mail,
      [],
      context(async (attachment, chunks) => {
        const parts: Uint8Array[] = []
        for (const chunk of chunks) parts.push(Uint8Array.from(chunk))
        taken.push({ ...attachment, bytes: concatBytes(parts) })
      }),
    )
    opened.dispose()
    const { attachments } = opened.document
    expect(taken.map((t) => [t.index, t.filename])).toEqual([
      [0, 'Belege.pdf'],
      [1, 'Belege.pdf'],
      [2, 'notiz.txt'],
      [3, 'leer.bin'],
    ])
    expect(attachments).toHaveLength(originals.length)
    for (const [index, original] of originals.entries()) {
      expect(attachments[index]!.sha256, attachments[index]!.filename).toBe(sha256(taken[index]!.bytes))
      expect(attachments[index]!.size).toBe(taken[index]!.bytes.length)
      expect(Buffer.from(taken[index]!.bytes).equals(Buffer.from(original))).toBe(true)
    }
  })

  it('reports the same document with and without a sink', async () => {
    const without = await openMessage(mail, [], context())
    const withSink = await openMessage(
      mail,
      [],
      context(async (_, chunks) => {
        for (const chunk of chunks) void chunk
      }),
    )
    expect(withSink.document).toEqual(without.document)
  })

  it('a sink that stops before the end is an internal error, never a digest of bytes it did not write', async () => {
    const opening = openMessage(
      mail,
      [],
      context(async (_, chunks) => {
        for (const chunk of chunks) if (chunk.length > 0) break
      }),
    )
    await expect(opening).rejects.toBeInstanceOf(SiegelpostError)
    await expect(opening).rejects.toMatchObject({ code: 'INTERNAL' })
  })

  it('a sink that fails makes the open fail (a write error is not swallowed)', async () => {
    const full = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })
    await expect(
      openMessage(
        mail,
        [],
        context(async () => {
          throw full
        }),
      ),
    ).rejects.toBe(full)
  })
})
