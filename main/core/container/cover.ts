import { StandardFonts, type PDFDocument } from '@cantoo/pdf-lib'
import { formatSize, muted, TextWriter } from '../pdf/text-writer.ts'

/**
 * The container's cover pages: who sent it, when, the subject, the message text, the enclosed files with
 * size and SHA-256 (so the client can check what arrived), and how to open attachments in common readers.
 * Standard fonts (WinAnsi): German text is fine; a character outside WinAnsi is shown as "?" on the cover
 * (the enclosed files and their names in the attachment list are untouched).
 */
export interface CoverInput {
  from: string
  date: Date
  subject: string
  text: string
  files: readonly {
    fileName: string
    size: number
    sha256: string
    appendedAsPages: boolean
    attachmentOnly: boolean
  }[]
}

function dateText(date: Date, lang: 'de' | 'en'): string {
  return date.toLocaleString(lang === 'de' ? 'de-DE' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Europe/Berlin',
  })
}

export async function drawCover(doc: PDFDocument, input: CoverInput): Promise<void> {
  const regular = await doc.embedFont(StandardFonts.Helvetica)
  const bold = await doc.embedFont(StandardFonts.HelveticaBold)
  const w = new TextWriter(doc, regular, bold)
  w.paragraph('Vertrauliche Nachricht  ·  Confidential message', { size: 17, bold: true })
  w.gap(8)
  w.paragraph(`Von / From: ${input.from}`)
  w.paragraph(`Datum / Date: ${dateText(input.date, 'de')}  ·  ${dateText(input.date, 'en')}`)
  w.paragraph(`Betreff / Subject: ${input.subject}`, { bold: true })
  w.rule()
  w.paragraph(input.text.trim() === '' ? '(ohne Text / no text)' : input.text)
  w.rule()
  w.paragraph(`Enthaltene Dateien / Enclosed files (${input.files.length})`, { size: 12, bold: true })
  if (input.files.length === 0) w.paragraph('keine / none', { color: muted })
  for (const file of input.files) {
    w.gap(4)
    w.paragraph(file.fileName, { bold: true })
    const where = file.appendedAsPages
      ? 'als Anhang und als Seiten nach diesem Deckblatt / as attachment and as pages after this cover'
      : file.attachmentOnly
        ? 'nur als Anhang / attachment only'
        : 'als Anhang / as attachment'
    w.paragraph(`${formatSize(file.size, 'de')} (${file.size} Bytes)  ·  ${where}`, { indent: 12, color: muted })
    w.paragraph(`SHA-256: ${file.sha256}`, { indent: 12, size: 8.5, color: muted })
  }
  w.rule()
  w.paragraph('So öffnen Sie die Anhänge', { size: 12, bold: true })
  w.paragraph(
    'Die Dateien stecken als Anhänge in diesem PDF. Adobe Acrobat Reader: Büroklammer-Symbol in der linken Leiste. ' +
      'Firefox: Seitenleiste öffnen, dann „Anhänge“. Okular: Ansicht > Eingebettete Dateien. Evince (Dokumentenbetrachter): ' +
      'Seitenleiste > Anhänge. Die PDF-Anzeige von Chrome und Edge zeigt keine Anhänge; enthaltene PDF-Dateien folgen ' +
      'deshalb zusätzlich als Seiten, soweit oben angegeben. Speichern Sie Anhänge nur auf Ihrem eigenen Gerät.',
  )
  w.gap(6)
  w.paragraph('How to open the attachments', { size: 12, bold: true })
  w.paragraph(
    'The files are attachments inside this PDF. Adobe Acrobat Reader: the paper-clip icon in the left bar. Firefox: open ' +
      'the sidebar, then "Attachments". Okular: View > Embedded Files. Evince (Document Viewer): sidebar > Attachments. ' +
      'The PDF viewer of Chrome and Edge shows no attachments; enclosed PDF files therefore also follow as pages where ' +
      'stated above. Save attachments only on your own device.',
  )
}
