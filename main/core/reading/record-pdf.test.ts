import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { skipUnless } from '../../../test/helpers/needs.ts'
import { messageRecordOf, type RecordInput } from './record.ts'
import { recordHtml } from './record-html.ts'
import { recordPdf } from './record-pdf.ts'

const hasPdftotext = spawnSync('pdftotext', ['-v']).status === 0
const skip = skipUnless('pdftotext', hasPdftotext, 'apt-get install poppler-utils')
const work = mkdtempSync(join(tmpdir(), 'sp-record-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** The text poppler reads back from the PDF, whitespace folded (lines wrap where the layout wants). */
function pdfText(bytes: Uint8Array, name: string, isRaw = false): string {
  const path = join(work, `${name}.pdf`)
  writeFileSync(path, bytes)
  const run = spawnSync('pdftotext', ['-enc', 'UTF-8', path, '-'], { encoding: 'utf8' })
  expect(run.status, run.stderr).toBe(0)
  return isRaw ? run.stdout : run.stdout.replace(/\s+/g, ' ')
}

const input = (over: Partial<RecordInput> = {}): RecordInput => ({
  headers: {
    from: '"Kanzlei Berger" <info@kanzlei-berger.example>',
    fromName: 'Kanzlei Berger',
    fromAddresses: ['info@kanzlei-berger.example'],
    to: ['Mia Mandant <mia@mandant.example>'],
    cc: ['buchhaltung@mandant.example'],
    replyTo: [],
    subject: 'Ihr Steuerbescheid 2025',
    isSubjectProtected: true,
    date: '2026-03-12T08:14:00.000Z',
    messageId: '<abc123@kanzlei-berger.example>',
  },
  summary: {
    state: 'encrypted-verified',
    confidentiality: 'encrypted',
    authenticity: 'verified',
    notValidBecause: null,
    isContentHidden: false,
    isKeyMissing: false,
    warnings: [{ code: 'first-contact', text: 'no earlier mail from this address is known' }],
  },
  encryption: { technology: 'openpgp' },
  signature: { technology: 'openpgp', signer: 'info@kanzlei-berger.example' },
  signer: {
    name: 'Kanzlei Berger',
    email: 'info@kanzlei-berger.example',
    fingerprint: 'ABCDEF0123456789ABCDEF0123456789ABCDEF01',
    technology: 'openpgp',
    signedAt: '2026-03-12T08:13:58.000Z',
  },
  hops: [
    {
      from: 'mx.kanzlei-berger.example',
      by: 'mx.mandant.example',
      with: 'ESMTPS',
      tls: true,
      version: 'TLSv1.3',
      date: '2026-03-12T08:14:05.000Z',
    },
    {
      from: 'mail.kanzlei-berger.example',
      by: 'mx.kanzlei-berger.example',
      with: 'ESMTP',
      tls: false,
      version: null,
      date: '2026-03-12T08:14:02.000Z',
    },
  ],
  parts: [
    {
      kind: 'text',
      text: 'Sehr geehrte Frau Mandant,\n\nanbei Ihr Einkommensteuerbescheid 2025.\nGrüße – Ihre Kanzlei',
      isTruncated: false,
      encrypted: true,
      signed: true,
    },
    {
      kind: 'html',
      html: '<p>Zahlbetrag: <b>1.234,56&nbsp;€</b></p><script>alert(1)</script>',
      alternativeText: null,
      images: [],
      isTruncated: false,
      encrypted: true,
      signed: true,
    },
    { kind: 'attachment', index: 0, isInClosedPart: false, encrypted: true, signed: true },
  ],
  attachments: [
    {
      filename: 'Bescheid-2025.pdf',
      contentType: 'application/pdf',
      size: 49_172,
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      encrypted: true,
    },
  ],
  original: { fileName: 'bescheid.eml', size: 73_100, sha256: 'aa'.repeat(32) },
  checkedAt: new Date('2026-12-05T00:10:00Z'),
  checkedWith: 'Siegelpost 0.1.0',
  ...over,
})

describe.skipIf(skip)('the message record as PDF, read back with pdftotext', () => {
  it('German: verdict on both axes, the warning, the real From address, every hop, the text and the files', async () => {
    const text = pdfText(await recordPdf(messageRecordOf(input(), 'de'), new Date()), 'de')
    expect(text).toContain('Nachrichtenprotokoll')
    expect(text).toContain('Verschlüsselt – Absender bestätigt')
    expect(text).toContain('Ende-zu-Ende-verschlüsselt')
    expect(text).toContain('Gültige Signatur, Fingerabdruck des Absenders abgeglichen')
    expect(text).toContain('Erster Kontakt: Von dieser Adresse kam bisher keine Nachricht.')
    expect(text).toContain('Kanzlei Berger <info@kanzlei-berger.example>')
    expect(text).toContain('ABCD EF01 2345')
    expect(text).toContain('Ihr Steuerbescheid 2025 (Betreff verschlüsselt übertragen)')
    expect(text).toContain('<abc123@kanzlei-berger.example>')
    // Oldest hop first; the hop without TLS stands out in words.
    expect(text).toMatch(/Station 1 von mail\.kanzlei-berger\.example an mx\.kanzlei-berger\.example OHNE/)
    expect(text).toMatch(/Station 2 von mx\.kanzlei-berger\.example an mx\.mandant\.example \(Ihr Postfach\)/)
    expect(text).toContain('verschlüsselt (TLS 1.3)')
    expect(text).toContain('anbei Ihr Einkommensteuerbescheid 2025.')
    expect(text).toContain('Grüße – Ihre Kanzlei')
    expect(text).toContain('Zahlbetrag: 1.234,56 €')
    expect(text).not.toContain('alert(1)')
    expect(text).toContain('Bescheid-2025.pdf')
    expect(text).toContain('48 KiB (49.172 Bytes)')
    expect(text).toContain('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    // A digest is copied from the record by hand or by eye: it stays on one line with its label.
    const raw = pdfText(await recordPdf(messageRecordOf(input(), 'de'), new Date()), 'de-raw', true)
    expect(raw).toContain('SHA-256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(text).toContain('aa'.repeat(32))
    expect(text).toContain('Seite 1 von')
    expect(text).not.toContain('?')
  })

  it('English: the same record in English words', async () => {
    const text = pdfText(await recordPdf(messageRecordOf(input(), 'en'), new Date()), 'en')
    expect(text).toContain('Message record')
    expect(text).toContain('Encrypted – sender verified')
    expect(text).toContain('End-to-end encrypted')
    expect(text).toContain('Valid signature, sender fingerprint compared')
    expect(text).toContain('First contact: no earlier message from this address is known.')
    expect(text).toContain('Kanzlei Berger <info@kanzlei-berger.example>')
    expect(text).toMatch(/Step 1 from mail\.kanzlei-berger\.example to mx\.kanzlei-berger\.example NOT encrypted/)
    expect(text).toContain('anbei Ihr Einkommensteuerbescheid 2025.')
    expect(text).toContain('48 KiB (49,172 Bytes)')
    expect(text).toContain('Page 1 of')
  })

  it('a tampered message says "Unsicher", never "signiert", and a hidden content stays out', async () => {
    const record = messageRecordOf(
      input({
        summary: {
          state: 'invalid',
          confidentiality: 'not-encrypted',
          authenticity: 'invalid',
          notValidBecause: null,
          isContentHidden: false,
          isKeyMissing: false,
          warnings: [],
        },
        signer: null,
      }),
      'de',
    )
    const text = pdfText(await recordPdf(record, new Date()), 'invalid')
    expect(text).toContain('Unsicher – Inhalt wurde möglicherweise verändert')
    expect(text).toContain('Signatur ungültig')
    expect(text).not.toMatch(/digital signiert|Absender bestätigt/)
    const hidden = messageRecordOf(
      input({
        summary: {
          state: 'cannot-decrypt',
          confidentiality: 'failed',
          authenticity: 'not-signed',
          notValidBecause: null,
          isContentHidden: true,
          isKeyMissing: true,
          warnings: [],
        },
        signer: null,
      }),
      'en',
    )
    const hiddenText = pdfText(await recordPdf(hidden, new Date()), 'hidden')
    expect(hiddenText).toContain('Cannot be decrypted')
    expect(hiddenText).toContain('The content was not shown')
    expect(hiddenText).not.toContain('Einkommensteuerbescheid 2025.')
  })

  it('marks the unprotected part of a partly protected message, and says when characters were replaced', async () => {
    const record = messageRecordOf(
      input({
        summary: { ...input().summary, state: 'partly-protected', authenticity: 'not-signed', warnings: [] },
        parts: [
          { kind: 'text', text: 'Geschützt.', isTruncated: false, encrypted: true, signed: false },
          { kind: 'text', text: 'Bitte zahlen Sie an 这个账户.', isTruncated: false, encrypted: false, signed: false },
        ],
      }),
      'de',
    )
    const text = pdfText(await recordPdf(record, new Date()), 'partly')
    expect(text).toMatch(/Geschützt\. ! Ungeschützter Teil – nicht verschlüsselt oder signiert.*Bitte zahlen Sie an/)
    expect(text).toContain('sind vereinfacht oder als „?“ wiedergegeben')
  })

  it('the print page carries the same record, every text escaped', () => {
    const html = recordHtml(
      messageRecordOf(input({ headers: { ...input().headers, subject: '<img src=x onerror=alert(1)>' } }), 'de'),
    )
    expect(html).toContain('Verschlüsselt – Absender bestätigt')
    expect(html).toContain('&lt;info@kanzlei-berger.example&gt;')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(html).not.toContain('<img')
    expect(html).not.toContain('<script')
    expect(html).toContain("default-src 'none'")
  })
})
