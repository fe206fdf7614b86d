import { randomBytes } from 'node:crypto'
import { attachmentEntity, multipart, textEntity, type HeaderList } from '../mime/build.ts'
import { buildContainer, type ContainerFile } from './build.ts'

/**
 * The mail that carries a container: a neutral subject, a plain text that says what the attachment is and how
 * to get the password, and the encrypted PDF. Nothing confidential travels in clear: not the real subject, not
 * the message text, not the file names, never the password. It is sent through Zwangs-TLS like any mail.
 */
export interface CarrierInput {
  from: string
  to: readonly string[]
  cc: readonly string[]
  subject: string
  body: string
  files: readonly ContainerFile[]
  now: Date
  /** The outer subject; default: the neutral bilingual one below. */
  carrierSubject?: string
  /** The Message-ID the copies of one mail share; a new one otherwise. */
  messageId?: string
}

export const defaultCarrierSubject = 'Vertrauliche Nachricht / Confidential message'

export function carrierText(from: string): string {
  return [
    `Sie haben eine vertrauliche Nachricht von ${from} erhalten.`,
    '',
    'Die Nachricht und ihre Anhänge stecken in der angehängten PDF-Datei. Sie ist mit einem Passwort geschützt.',
    'Das Passwort erhalten Sie nicht per E-Mail, sondern auf dem vereinbarten Weg (z. B. per Brief oder Telefon).',
    'Öffnen Sie die PDF-Datei mit Ihrem gewohnten PDF-Programm und geben Sie das Passwort ein. Die Anhänge finden',
    'Sie im PDF-Programm unter „Anhänge“ (meist ein Büroklammer-Symbol); das Deckblatt erklärt es genauer.',
    '',
    'Bitte antworten Sie nicht mit vertraulichen Inhalten auf diese E-Mail.',
    '',
    '---',
    '',
    `You have received a confidential message from ${from}.`,
    '',
    'The message and its attachments are in the attached PDF file, which is protected by a password.',
    'You will not get the password by e-mail but the way you agreed (for example by letter or phone).',
    'Open the PDF with your usual PDF reader and enter the password. The attachments are listed under',
    '"Attachments" (usually a paper-clip icon); the cover page explains more.',
    '',
    'Please do not reply to this e-mail with confidential content.',
    '',
  ].join('\n')
}

const rfc5322Date = (date: Date) => date.toUTCString().replace(/GMT$/, '+0000')

/** The PDF's name in the carrier mail: says nothing but the date. */
export const containerFileName = (now: Date) => `Vertrauliche-Nachricht-${now.toISOString().slice(0, 10)}.pdf`

export async function composeCarrierMail(input: CarrierInput, password: string) {
  const container = await buildContainer(
    { from: input.from, date: input.now, subject: input.subject, text: input.body, files: input.files },
    password,
  )
  const domain = input.from.split('@')[1] ?? 'localhost'
  const messageId = input.messageId ?? `<${randomBytes(16).toString('hex')}@${domain}>`
  const headers: HeaderList = [
    ['From', input.from],
    ['To', input.to.join(', ')],
    ...(input.cc.length ? ([['Cc', input.cc.join(', ')]] as const) : []),
    ['Subject', input.carrierSubject ?? defaultCarrierSubject],
    ['Date', rfc5322Date(input.now)],
    ['Message-ID', messageId],
    ['MIME-Version', '1.0'],
  ]
  const bytes = multipart(
    'mixed',
    {},
    [textEntity(carrierText(input.from)), attachmentEntity(containerFileName(input.now), 'application/pdf', container)],
    headers,
  )
  return { bytes, messageId, containerBytes: container.length }
}
