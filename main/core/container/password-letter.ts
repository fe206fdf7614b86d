import { muted, newTextDocument } from '../pdf/text-writer.ts'

/**
 * The "Passwortbrief": a letter for postal delivery with the password generated for one password PDF, German
 * and English on one page. It names the sender, the recipient and the day of the mail — never its subject or
 * content — so a letter lost on the way tells nothing but the password of one mail the finder does not have.
 */
export interface PasswordLetterInput {
  from: string
  recipient: string
  sentAt: Date
  password: string
}

const day = (date: Date, lang: 'de' | 'en') =>
  date.toLocaleDateString(lang === 'de' ? 'de-DE' : 'en-GB', {
    timeZone: 'Europe/Berlin',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  })

export async function passwordLetterPdf(input: PasswordLetterInput, now: Date): Promise<Uint8Array> {
  const { doc, writer: w } = await newTextDocument('Passwort / Password')
  w.paragraph(`Absender / From: ${input.from}`, { size: 9, color: muted })
  w.paragraph(`${day(now, 'de')}`, { size: 9, color: muted })
  w.gap(24)
  w.paragraph('Vertraulich – persönlich', { bold: true })
  // The postal address is written by hand (or by the Kanzlei's letter template): Siegelpost does not keep it.
  w.paragraph('______________________________________________')
  w.paragraph('______________________________________________')
  w.paragraph('______________________________________________')
  w.paragraph(`E-Mail: ${input.recipient}`, { size: 9, color: muted })
  w.gap(18)
  w.paragraph('Ihr Passwort für das Passwort-PDF', { size: 15, bold: true })
  w.paragraph('Your password for the password PDF', { size: 12, bold: true, color: muted })
  w.gap(8)
  w.paragraph(
    `Am ${day(input.sentAt, 'de')} haben wir Ihnen an ${input.recipient} eine E-Mail mit einer geschützten PDF-Datei ` +
      '(„Vertrauliche-Nachricht-….pdf“) gesendet. Mit diesem Passwort öffnen Sie die Datei in Ihrem gewohnten ' +
      'PDF-Programm. Es gilt nur für diese eine Nachricht.',
  )
  w.gap(14)
  w.paragraph(input.password, { size: 22, bold: true, indent: 24 })
  w.gap(6)
  w.paragraph(
    'Nur Kleinbuchstaben und Ziffern; die Bindestriche gehören zum Passwort. Verwechselbare Zeichen (i, l, 1, o, 0) ' +
      'kommen nicht vor. / Lower-case letters and digits only; the hyphens are part of the password. Characters ' +
      'that look alike (i, l, 1, o, 0) are not used.',
    { size: 9, color: muted, indent: 24 },
  )
  w.gap(14)
  w.paragraph(
    'So öffnen Sie die Nachricht: Speichern Sie den PDF-Anhang der E-Mail, öffnen Sie ihn und geben Sie das Passwort ' +
      'ein. Die Anhänge der Nachricht finden Sie im PDF-Programm unter „Anhänge“ (meist ein Büroklammer-Symbol). ' +
      'Bewahren Sie diesen Brief getrennt von Ihrem Computer auf oder vernichten Sie ihn, wenn Sie die Nachricht ' +
      'gespeichert haben. Wir senden Ihnen Passwörter nie per E-Mail.',
  )
  w.gap(8)
  w.paragraph(
    `On ${day(input.sentAt, 'en')} we sent an e-mail with a protected PDF file to ${input.recipient}. This password ` +
      'opens the file in your usual PDF reader; it is valid for this one message only. Save the PDF attachment, open ' +
      'it and enter the password. The message’s attachments are listed under "Attachments" (usually a paper-clip ' +
      'icon). Keep this letter apart from your computer, or destroy it once you have saved the message. We never ' +
      'send passwords by e-mail.',
    { color: muted },
  )
  return doc.save()
}
