import { rgb, StandardFonts } from '@cantoo/pdf-lib'
import { muted, newTextDocument, winAnsiSafe } from '../pdf/text-writer.ts'
import type { MessageRecord, RecordBlock } from './record.ts'
import { recordWord } from './record-words.ts'

const alert = rgb(0.62, 0.1, 0.08)

/** Every text of the record, for the check whether the standard font shows all of it. */
function textsOf(blocks: RecordBlock[]): string[] {
  return blocks.flatMap((block) =>
    block.kind === 'fields' ? block.rows.flatMap((row) => [row.label, row.value]) : [block.text],
  )
}

/**
 * The message record as an A4 PDF for the files: the title and subject, the blocks in order, and
 * on every page a footer with the page number. Standard fonts (WinAnsi): a character they cannot
 * show is simplified or written as "?", and the record then says so on its first page.
 */
export async function recordPdf(record: MessageRecord, createdAt: Date): Promise<Uint8Array> {
  const { doc, writer } = await newTextDocument(`${record.title}: ${record.subject}`)
  doc.setSubject(record.subject)
  doc.setLanguage(record.lang === 'de' ? 'de-DE' : 'en-GB')
  doc.setCreationDate(createdAt)
  doc.setModificationDate(createdAt)
  const regular = await doc.embedFont(StandardFonts.Helvetica)
  const normalized = (text: string) => text.replace(/\r\n?/g, '\n').replace(/\t/g, '    ')
  const hasReplacements = textsOf(record.blocks).some((text) => winAnsiSafe(regular, text) !== normalized(text))

  writer.paragraph(record.title, { size: 18, bold: true })
  writer.paragraph(record.subject, { size: 12.5, bold: true })
  writer.gap(4)
  if (hasReplacements) writer.paragraph(recordWord(record.lang, 'replaced'), { size: 8.5, color: muted })
  for (const block of record.blocks) {
    if (block.kind === 'heading') {
      writer.gap(8)
      // A heading keeps the start of its section with it (a field of up to four lines).
      writer.keep(120)
      writer.paragraph(block.text, { size: 12.5, bold: true })
      writer.rule()
    } else if (block.kind === 'fields') {
      const labelWidth = block.isNarrow ? 24 : 110
      for (const row of block.rows) writer.field(row.label, row.value, { isStrong: row.isStrong === true, labelWidth })
    } else if (block.kind === 'paragraph') {
      writer.paragraph(block.text, {
        size: block.tone === 'muted' ? 9 : 10,
        color: block.tone === 'alert' ? alert : block.tone === 'muted' ? muted : undefined,
        bold: block.tone === 'alert',
      })
      writer.gap(2)
    } else if (block.kind === 'divider') {
      writer.gap(4)
      writer.rule()
      writer.paragraph(`! ${block.text}`, { size: 10, bold: true, color: alert })
    } else {
      writer.gap(2)
      writer.paragraph(block.text, { size: 10 })
      writer.gap(4)
    }
  }

  const pages = doc.getPages()
  pages.forEach((page, index) => {
    const footer = winAnsiSafe(
      regular,
      `${record.title} · ${record.subject.slice(0, 70)} · ${recordWord(record.lang, 'page', { n: index + 1, total: pages.length })}`,
    )
    page.drawText(footer, { x: 56, y: 28, size: 8, font: regular, color: muted })
  })
  return doc.save({ useObjectStreams: false })
}
