import { PDFDocument, PDFFont, rgb, StandardFonts, type PDFPage } from '@cantoo/pdf-lib'

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
  files: readonly { fileName: string; size: number; sha256: string; appendedAsPages: boolean; attachmentOnly: boolean }[]
}

const a4 = { width: 595.28, height: 841.89 }
const margin = 56
const ink = rgb(0.1, 0.1, 0.12)
const muted = rgb(0.35, 0.35, 0.4)

function encodable(font: PDFFont, text: string): string | null {
  if (text === '') return null
  try {
    font.encodeText(text)
    return text
  } catch {
    return null
  }
}

/** The text with every character the standard font cannot show replaced: accents dropped where that helps, else "?". */
export function winAnsiSafe(font: PDFFont, text: string): string {
  let out = ''
  for (const char of text.replace(/\r\n?/g, '\n').replace(/\t/g, '    ')) {
    if (char === '\n') {
      out += char
      continue
    }
    out += encodable(font, char) ?? encodable(font, char.normalize('NFD').replace(/\p{M}/gu, '')) ?? '?'
  }
  return out
}

export function formatSize(bytes: number, lang: 'de' | 'en'): string {
  const units = ['Bytes', 'KB', 'MB', 'GB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  const number = unit === 0 ? String(value) : value.toFixed(1)
  return `${lang === 'de' ? number.replace('.', ',') : number} ${units[unit]}`
}

class Writer {
  private page: PDFPage
  private y: number
  private readonly doc: PDFDocument
  private readonly regular: PDFFont
  private readonly bold: PDFFont
  constructor(doc: PDFDocument, regular: PDFFont, bold: PDFFont) {
    this.doc = doc
    this.regular = regular
    this.bold = bold
    this.page = doc.addPage([a4.width, a4.height])
    this.y = a4.height - margin
  }

  private ensure(height: number) {
    if (this.y - height < margin) {
      this.page = this.doc.addPage([a4.width, a4.height])
      this.y = a4.height - margin
    }
  }

  gap(points: number) {
    this.y -= points
  }

  /** Wrapped paragraph; long words are broken where they overflow. */
  paragraph(text: string, options: { size?: number; bold?: boolean; color?: ReturnType<typeof rgb>; indent?: number } = {}) {
    const size = options.size ?? 10.5
    const font = options.bold ? this.bold : this.regular
    const width = a4.width - 2 * margin - (options.indent ?? 0)
    const lineHeight = size * 1.35
    for (const rawLine of winAnsiSafe(font, text).split('\n')) {
      const lines: string[] = []
      let line = ''
      for (const word of rawLine.split(/(\s+)/)) {
        const candidate = line + word
        if (font.widthOfTextAtSize(candidate, size) <= width) {
          line = candidate
          continue
        }
        if (line.trim() !== '') lines.push(line.trimEnd())
        line = word.trimStart()
        while (font.widthOfTextAtSize(line, size) > width) {
          let cut = line.length - 1
          while (cut > 1 && font.widthOfTextAtSize(line.slice(0, cut), size) > width) cut--
          lines.push(line.slice(0, cut))
          line = line.slice(cut)
        }
      }
      lines.push(line.trimEnd())
      for (const l of lines) {
        this.ensure(lineHeight)
        this.y -= lineHeight
        this.page.drawText(l, { x: margin + (options.indent ?? 0), y: this.y, size, font, color: options.color ?? ink })
      }
    }
  }

  rule() {
    this.ensure(12)
    this.y -= 6
    this.page.drawLine({ start: { x: margin, y: this.y }, end: { x: a4.width - margin, y: this.y }, thickness: 0.6, color: muted })
    this.y -= 6
  }
}

function dateText(date: Date, lang: 'de' | 'en'): string {
  return date.toLocaleString(lang === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Berlin' })
}

export async function drawCover(doc: PDFDocument, input: CoverInput): Promise<void> {
  const regular = await doc.embedFont(StandardFonts.Helvetica)
  const bold = await doc.embedFont(StandardFonts.HelveticaBold)
  const w = new Writer(doc, regular, bold)
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
