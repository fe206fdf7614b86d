import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildContainer } from './build.ts'
import { openContainer } from './read.ts'

const hasPdftotext = spawnSync('sh', ['-c', 'command -v pdftotext']).status === 0
const password = 'mq4v-8kzp-w3nd-x7ra-c2ey-5hbt'

async function pdf(text: string, pages = 1): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  const font = await doc.embedFont(StandardFonts.Helvetica)
  for (let i = 1; i <= pages; i++) doc.addPage().drawText(`${text} ${i}`, { x: 60, y: 700, size: 18, font })
  return doc.save()
}

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-container-unit-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe.skipIf(!hasPdftotext)('the container appends enclosed PDFs as pages only within its budget', () => {
  it('PDFs over the budget are enclosed as attachments only and say so on the cover; the ones within it follow as pages', async () => {
    const first = await pdf('Bilanz Seite', 2)
    const second = await pdf('Anlage Seite', 3)
    const files = [
      { fileName: 'Bilanz.pdf', contentType: 'application/pdf', bytes: first },
      { fileName: 'Anlage.pdf', contentType: 'application/pdf', bytes: second },
    ]
    // A budget that holds the first PDF but not both.
    const budget = first.length + Math.floor(second.length / 2)
    const container = await buildContainer(
      { from: 'a@kanzlei.test', date: new Date(), subject: 'S', text: 'T', files },
      password,
      {
        appendPagesMaxBytes: budget,
      },
    )
    writeFileSync(join(dir, 'c.pdf'), container)
    const text = execFileSync('pdftotext', ['-upw', password, join(dir, 'c.pdf'), '-'], { encoding: 'utf8' })
    expect(text).toMatch(/Bilanz\.pdf\s+[\d,]+ (KB|Bytes) \(\d+ Bytes\) · als Anhang und als Seiten/)
    expect(text).toMatch(/Anlage\.pdf\s+[\d,]+ (KB|Bytes) \(\d+ Bytes\) · nur als Anhang/)
    expect(text).toContain('Bilanz Seite 2')
    expect(text).not.toContain('Anlage Seite 1')
    // Both are enclosed, byte for byte.
    const opened = await openContainer(container, password)
    expect(
      opened.attachments.map((a) => [
        a.filename,
        Buffer.from(a.bytes).equals(Buffer.from(files.find((f) => f.fileName === a.filename)!.bytes)),
      ]),
    ).toEqual([
      ['Bilanz.pdf', true],
      ['Anlage.pdf', true],
    ])
  })
})
