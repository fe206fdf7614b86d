import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFPage } from '@cantoo/pdf-lib'

/**
 * Flowing text on A4 pages with the standard fonts, for the PDFs Siegelpost prints (the container's cover, the
 * consent letter and report): wrapped paragraphs, rules, new pages as needed. Characters the standard fonts
 * cannot show lose their accent where that helps, else become "?".
 */
const a4 = { width: 595.28, height: 841.89 }
const margin = 56
export const ink = rgb(0.1, 0.1, 0.12)
export const muted = rgb(0.35, 0.35, 0.4)

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

export class TextWriter {
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
  paragraph(
    text: string,
    options: { size?: number; bold?: boolean; color?: ReturnType<typeof rgb>; indent?: number } = {},
  ) {
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
    this.page.drawLine({
      start: { x: margin, y: this.y },
      end: { x: a4.width - margin, y: this.y },
      thickness: 0.6,
      color: muted,
    })
    this.y -= 6
  }
}

/** A4 pages with a title in bold and the standard fonts: the start of every report Siegelpost prints. */
export async function newTextDocument(title: string): Promise<{ doc: PDFDocument; writer: TextWriter }> {
  const doc = await PDFDocument.create()
  doc.setTitle(title)
  doc.setProducer('Siegelpost')
  doc.setCreator('Siegelpost')
  const writer = new TextWriter(
    doc,
    await doc.embedFont(StandardFonts.Helvetica),
    await doc.embedFont(StandardFonts.HelveticaBold),
  )
  return { doc, writer }
}
