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

/**
 * The code points each font can show. encodeText of @cantoo/pdf-lib does not throw for a character a
 * standard font lacks (it writes "?" itself), so the font's character set decides.
 */
const characterSets = new WeakMap<PDFFont, Set<number>>()

function encodable(font: PDFFont, text: string): string | null {
  if (text === '') return null
  let set = characterSets.get(font)
  if (!set) characterSets.set(font, (set = new Set(font.getCharacterSet())))
  return [...text].every((char) => set.has(char.codePointAt(0)!)) ? text : null
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

  /** `text` in lines no wider than `width`; long words are broken where they overflow. */
  private wrap(font: PDFFont, text: string, size: number, width: number): string[] {
    const lines: string[] = []
    for (const rawLine of winAnsiSafe(font, text).split('\n')) {
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
    }
    return lines
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
    for (const l of this.wrap(font, text, size, width)) {
      this.ensure(lineHeight)
      this.y -= lineHeight
      this.page.drawText(l, { x: margin + (options.indent ?? 0), y: this.y, size, font, color: options.color ?? ink })
    }
  }

  /** A label in bold with its value wrapped beside it (value lines start at `labelWidth`). */
  field(label: string, value: string, options: { labelWidth?: number; size?: number; isStrong?: boolean } = {}) {
    const size = options.size ?? 10
    const labelWidth = options.labelWidth ?? 110
    const lineHeight = size * 1.35
    const valueFont = options.isStrong ? this.bold : this.regular
    const labelLines = this.wrap(this.bold, label, size, labelWidth - 8)
    const valueLines = this.wrap(valueFont, value, size, a4.width - 2 * margin - labelWidth)
    // A short field stays on one page; a long one may run on.
    const rows = Math.max(labelLines.length, valueLines.length)
    if (rows <= 6) this.ensure(rows * lineHeight)
    for (let i = 0; i < rows; i++) {
      this.ensure(lineHeight)
      this.y -= lineHeight
      const labelLine = labelLines[i]
      if (labelLine) this.page.drawText(labelLine, { x: margin, y: this.y, size, font: this.bold, color: muted })
      const valueLine = valueLines[i]
      if (valueLine)
        this.page.drawText(valueLine, { x: margin + labelWidth, y: this.y, size, font: valueFont, color: ink })
    }
    this.y -= size * 0.3
  }

  /** Starts a new page when less than `height` points are left (keeps a heading with what follows). */
  keep(height: number) {
    this.ensure(height)
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
