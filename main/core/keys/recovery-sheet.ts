import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from '@cantoo/pdf-lib'
import type { Lang } from '../errors/index.ts'
import type { KeySummary } from './key-summary.ts'

export interface RecoverySheetInput {
  key: KeySummary
  recoveryCode: string
  backupFileName: string
  createdAt: Date
  lang: Lang
}

const texts = {
  de: {
    title: 'Wiederherstellungsbeleg',
    subtitle: 'Sicherung Ihres privaten Schlüssels – Siegelpost',
    owner: 'Inhaber',
    emails: 'E-Mail-Adressen',
    technology: 'Verfahren',
    fingerprint: 'Fingerabdruck',
    file: 'Sicherungsdatei',
    created: 'Erstellt am',
    code: 'Wiederherstellungscode',
    both: 'Zum Wiederherstellen brauchen Sie beides: die Sicherungsdatei und diesen Code. Keines von beiden genügt allein.',
    apart:
      'Bewahren Sie diesen Beleg getrennt von der Datei auf, zum Beispiel ausgedruckt bei Ihren Unterlagen. Wer Datei und Code zusammen hat, kann Ihre verschlüsselten Nachrichten lesen und in Ihrem Namen signieren.',
    how: 'So stellen Sie wieder her: Siegelpost öffnen, „Schlüssel“, „Importieren …“, die Sicherungsdatei wählen und diesen Code eingeben.',
    lost: 'Geht der Code verloren, lässt sich die Sicherung nicht mehr öffnen – niemand kann ihn wiederherstellen, auch Siegelpost nicht.',
  },
  en: {
    title: 'Recovery sheet',
    subtitle: 'Backup of your private key – Siegelpost',
    owner: 'Owner',
    emails: 'E-mail addresses',
    technology: 'Technology',
    fingerprint: 'Fingerprint',
    file: 'Backup file',
    created: 'Created',
    code: 'Recovery code',
    both: 'To restore you need both: the backup file and this code. Neither is enough on its own.',
    apart:
      'Keep this sheet apart from the file, for example printed with your records. Whoever has the file and the code together can read your encrypted messages and sign in your name.',
    how: 'How to restore: open Siegelpost, "Keys", "Import …", choose the backup file and enter this code.',
    lost: 'If the code is lost, the backup cannot be opened any more – nobody can recover it, not even Siegelpost.',
  },
} as const

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    const candidate = line ? `${line} ${word}` : word
    if (font.widthOfTextAtSize(candidate, size) > width && line) {
      lines.push(line)
      line = word
    } else line = candidate
  }
  if (line) lines.push(line)
  return lines
}

/** A one-page A4 sheet to print: who, which key, which file, the code — and that both are needed. */
export async function createRecoverySheet(input: RecoverySheetInput): Promise<Uint8Array> {
  const t = texts[input.lang]
  const doc = await PDFDocument.create()
  doc.setTitle(`${t.title} – ${input.key.name}`)
  doc.setCreator('Siegelpost')
  doc.setProducer('Siegelpost')
  doc.setCreationDate(input.createdAt)
  const page: PDFPage = doc.addPage([595.28, 841.89])
  const regular = await doc.embedFont(StandardFonts.Helvetica)
  const bold = await doc.embedFont(StandardFonts.HelveticaBold)
  const mono = await doc.embedFont(StandardFonts.Courier)
  const left = 56
  const width = 595.28 - 2 * left
  let y = 780
  const ink = rgb(0.11, 0.14, 0.19)
  const accent = rgb(0.55, 0.12, 0.18)

  page.drawText(t.title, { x: left, y, size: 24, font: bold, color: accent })
  y -= 24
  page.drawText(t.subtitle, { x: left, y, size: 12, font: regular, color: ink })
  y -= 36

  const groups = input.key.fingerprint.match(/.{1,4}/g) ?? [input.key.fingerprint]
  const half = Math.ceil(groups.length / 2)
  const rows: [string, string[]][] = [
    [t.owner, [input.key.name]],
    [t.emails, [input.key.emails.join(', ')]],
    [t.technology, [input.key.technology === 'openpgp' ? 'OpenPGP' : 'S/MIME']],
    [t.fingerprint, [groups.slice(0, half).join(' '), groups.slice(half).join(' ')]],
    [t.file, [input.backupFileName]],
    [
      t.created,
      [
        input.createdAt.toLocaleDateString(input.lang === 'de' ? 'de-DE' : 'en-GB', {
          year: 'numeric',
          month: 'long',
          day: 'numeric',
        }),
      ],
    ],
  ]
  for (const [label, values] of rows) {
    page.drawText(label, { x: left, y, size: 10, font: bold, color: ink })
    for (const value of values) {
      page.drawText(value, { x: left + 130, y, size: 10, font: label === t.fingerprint ? mono : regular, color: ink })
      y -= 15
    }
    y -= 4
  }

  y -= 20
  page.drawRectangle({ x: left, y: y - 58, width, height: 78, borderColor: accent, borderWidth: 1.5 })
  page.drawText(t.code, { x: left + 14, y: y - 2, size: 11, font: bold, color: accent })
  page.drawText(input.recoveryCode, { x: left + 14, y: y - 38, size: 21, font: mono, color: ink })
  y -= 100

  for (const paragraph of [t.both, t.apart, t.how, t.lost]) {
    for (const line of wrap(paragraph, paragraph === t.both ? bold : regular, 11, width)) {
      page.drawText(line, { x: left, y, size: 11, font: paragraph === t.both ? bold : regular, color: ink })
      y -= 15
    }
    y -= 8
  }
  return doc.save()
}
