import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib'
import { PDFiumLibrary } from '@hyzyla/pdfium'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeBody, parseMime } from '../../main/core/mime/parse.ts'
import { assertBuilt, runCli } from '../helpers/run-cli.ts'
import { skipUnless } from '../helpers/needs.ts'

/**
 * The password container against independent readers: qpdf, poppler (pdfdetach, pdftotext), Mozilla's pdf.js and
 * PDFium (Chrome's engine), each opening it with the password, each refusing a wrong and a missing one; and a scan
 * of the encrypted bytes for anything that would tell what is inside.
 */
const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0
const skip = skipUnless(
  'qpdf and poppler-utils',
  has('qpdf') && has('pdfdetach') && has('pdftotext'),
  'apt-get install qpdf poppler-utils',
)
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

let dir: string
let temp: string
let container: Buffer
let password: string
const files: Record<string, Buffer> = {}
const coverSentence = 'Anbei der Jahresabschluss 2025 der Müller GmbH'
const subject = 'Jahresabschluss 2025 Müller GmbH'

async function makePdf(text: string): Promise<Buffer> {
  const doc = await PDFDocument.create()
  const font = await doc.embedFont(StandardFonts.Helvetica)
  doc.addPage().drawText(text, { x: 60, y: 700, size: 18, font })
  return Buffer.from(await doc.save())
}

function extractWithPdfium(library: PDFiumLibrary, documentIndex: number) {
  // @hyzyla/pdfium wraps no attachment API; its module exposes PDFium's C functions.
  const m = (
    library as unknown as {
      module: Record<string, (...a: number[]) => number> & {
        HEAPU8: Uint8Array
        HEAPU32: Uint32Array
        wasmExports: { malloc(n: number): number; free(p: number): void }
      }
    }
  ).module
  const found: Record<string, string> = {}
  const count = m._FPDFDoc_GetAttachmentCount!(documentIndex)
  for (let i = 0; i < count; i++) {
    const attachment = m._FPDFDoc_GetAttachment!(documentIndex, i)
    const nameLength = m._FPDFAttachment_GetName!(attachment, 0, 0)
    const namePointer = m.wasmExports.malloc(nameLength)
    m._FPDFAttachment_GetName!(attachment, namePointer, nameLength)
    const name = Buffer.from(m.HEAPU8.slice(namePointer, namePointer + nameLength - 2)).toString('utf16le')
    m.wasmExports.free(namePointer)
    const lengthPointer = m.wasmExports.malloc(8)
    m._FPDFAttachment_GetFile!(attachment, 0, 0, lengthPointer)
    const size = m.HEAPU32[lengthPointer >> 2]!
    const filePointer = m.wasmExports.malloc(Math.max(size, 1))
    m._FPDFAttachment_GetFile!(attachment, filePointer, size, lengthPointer)
    found[name] = sha256(m.HEAPU8.slice(filePointer, filePointer + size))
    m.wasmExports.free(filePointer)
    m.wasmExports.free(lengthPointer)
  }
  return found
}

describe.skipIf(skip)('password container (AES-256, R6) against qpdf, poppler, pdf.js and PDFium', () => {
  beforeAll(async () => {
    assertBuilt()
    dir = mkdtempSync(join(tmpdir(), 'sp-container-'))
    temp = join(dir, 'tmp')
    mkdirSync(temp)
    mkdirSync(join(dir, 'in'))
    files['Bilanz 2025.pdf'] = await makePdf('Bilanz 2025 - Seite 1')
    const plainForQpdf = join(dir, 'plain.pdf')
    writeFileSync(plainForQpdf, await makePdf('Vertrag'))
    execFileSync('qpdf', ['--encrypt', 'user-pw', 'owner-pw', '256', '--', plainForQpdf, join(dir, 'enc.pdf')])
    files['Vertrag-geschützt.pdf'] = readFileSync(join(dir, 'enc.pdf'))
    files['Lohnjournal Dezember.csv'] = Buffer.from('Name;Brutto\nMüller;4711,00\n')
    files['Belege.bin'] = Buffer.from(Array.from({ length: 70_001 }, (_, i) => (i * 7919) % 251))
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, 'in', name), bytes)
    writeFileSync(
      join(dir, 'body.txt'),
      `Sehr geehrte Frau Müller,\n\n${coverSentence}.\n\nMit freundlichen Grüßen\nKanzlei Huber\n`,
    )
    const run = runCli(
      [
        '--profile',
        join(dir, 'profile'),
        'compose',
        '--encrypt',
        'container',
        '--from',
        'huber@kanzlei.test',
        '--to',
        'mueller@mandant.test',
        '--subject',
        subject,
        '--body-file',
        join(dir, 'body.txt'),
        ...Object.keys(files).flatMap((name) => ['--attach', join(dir, 'in', name)]),
        '--out',
        join(dir, 'carrier.eml'),
        '--json',
      ],
      { env: { TMPDIR: temp } },
    )
    expect(run.errorLines).toEqual([])
    expect(run.status).toBe(0)
    const summary = JSON.parse(run.stdout) as { containerPassword: string; technology: string }
    expect(summary.technology).toBe('container')
    password = summary.containerPassword
    expect(password).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){5}$/)
    const carrier = readFileSync(join(dir, 'carrier.eml'))
    const pdfPart = parseMime(new Uint8Array(carrier)).children.find(
      (part) => part.contentType.type === 'application/pdf',
    )!
    container = Buffer.from(decodeBody(pdfPart))
    writeFileSync(join(dir, 'container.pdf'), container)
    writeFileSync(join(dir, 'pw'), password)
    writeFileSync(join(dir, 'wrong'), 'abcd-efgh-jkmn-pqrs-tuvw-xyz2')
  })
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }))

  it('the carrier mail names no subject, text, file name or password', () => {
    const carrier = readFileSync(join(dir, 'carrier.eml'), 'latin1')
    for (const secret of [subject, coverSentence, 'Bilanz', 'Lohnjournal', password])
      expect(carrier).not.toContain(secret)
    expect(carrier).toMatch(/^Subject: Vertrauliche Nachricht \/ Confidential message\r$/m)
  })

  it('qpdf: structure checks out, AES-256 with revision 6, every attachment listed under its real name', () => {
    const path = join(dir, 'container.pdf')
    expect(execFileSync('qpdf', ['--check', `--password=${password}`, path], { encoding: 'utf8' })).toMatch(
      /No syntax or stream encoding errors/,
    )
    const encryption = execFileSync('qpdf', ['--show-encryption', `--password=${password}`, path], { encoding: 'utf8' })
    expect(encryption).toMatch(/^R = 6$/m)
    expect(encryption).toMatch(/stream encryption method: AESv3/)
    expect(encryption).toMatch(/string encryption method: AESv3/)
    expect(encryption).toMatch(/file encryption method: AESv3/)
    const listed = execFileSync('qpdf', [`--password=${password}`, '--list-attachments', path], { encoding: 'utf8' })
    for (const name of Object.keys(files)) expect(listed).toContain(`${name} ->`)
    for (const pw of ['abcd-efgh-jkmn-pqrs-tuvw-xyz2', '']) {
      expect(spawnSync('qpdf', ['--check', `--password=${pw}`, path]).status).toBe(2)
    }
  })

  it('poppler: pdfdetach -saveall gives byte-identical files, pdftotext reads the cover; wrong or no password refused', () => {
    const out = join(dir, 'detached')
    mkdirSync(out)
    execFileSync('pdfdetach', ['-upw', password, '-saveall', '-o', out, join(dir, 'container.pdf')])
    const saved = Object.fromEntries(readdirSync(out).map((name) => [name, sha256(readFileSync(join(out, name)))]))
    expect(saved).toEqual(Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, sha256(bytes)])))
    const text = execFileSync('pdftotext', ['-upw', password, join(dir, 'container.pdf'), '-'], { encoding: 'utf8' })
    expect(text).toContain(coverSentence)
    expect(text).toContain(subject)
    expect(text).toContain('huber@kanzlei.test')
    for (const [name, bytes] of Object.entries(files)) {
      expect(text).toContain(name)
      expect(text).toContain(sha256(bytes))
    }
    expect(text).toMatch(/Vertrag-geschützt\.pdf\s+[\d,]+ KB \(\d+ Bytes\) · nur als Anhang/)
    expect(text).toContain('Bilanz 2025 - Seite 1')
    expect(text).toContain('So öffnen Sie die Anhänge')
    expect(text).toContain('How to open the attachments')
    for (const args of [['-upw', 'abcd-efgh-jkmn-pqrs-tuvw-xyz2'], []]) {
      expect(spawnSync('pdftotext', [...args, join(dir, 'container.pdf'), '-']).status).not.toBe(0)
      expect(spawnSync('pdfdetach', [...args, '-list', join(dir, 'container.pdf')]).status).not.toBe(0)
    }
  })

  it("pdf.js (Firefox's reader): opens with the password, same names and bytes; refuses a wrong or missing one", async () => {
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs')
    const load = (pw?: string) =>
      pdfjs.getDocument({
        data: new Uint8Array(container),
        ...(pw === undefined ? {} : { password: pw }),
        verbosity: 0,
      }).promise
    const doc = await load(password)
    const attachments = (await doc.getAttachments()) ?? new Map()
    const byName: Record<string, string> = {}
    for (const [id, attachment] of attachments) {
      byName[attachment.filename] = sha256(
        attachment.content ?? (await doc.getAttachmentContent(id)) ?? new Uint8Array(),
      )
    }
    expect(byName).toEqual(Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, sha256(bytes)])))
    expect(doc.numPages).toBeGreaterThanOrEqual(2)
    await doc.cleanup()
    await expect(load('abcd-efgh-jkmn-pqrs-tuvw-xyz2')).rejects.toMatchObject({ name: 'PasswordException' })
    await expect(load()).rejects.toMatchObject({ name: 'PasswordException' })
  })

  it("PDFium (Chrome's and Edge's engine): opens with the password, same names and bytes; refuses a wrong or missing one", async () => {
    const library = await PDFiumLibrary.init()
    try {
      await expect(library.loadDocument(new Uint8Array(container), 'abcd-efgh-jkmn-pqrs-tuvw-xyz2')).rejects.toThrow(
        /password/i,
      )
      await expect(library.loadDocument(new Uint8Array(container))).rejects.toThrow(/password/i)
      const doc = await library.loadDocument(new Uint8Array(container), password)
      const index = (doc as unknown as { documentIdx: number }).documentIdx
      expect(extractWithPdfium(library, index)).toEqual(
        Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, sha256(bytes)])),
      )
      doc.destroy()
    } finally {
      library.destroy()
    }
  })

  it('the encrypted bytes name no file, cover sentence, MIME type or exact size (plain, UTF-16 and hex forms)', () => {
    const bytes = container
    const forms = (text: string) => [
      Buffer.from(text, 'latin1'),
      Buffer.from(text, 'utf8'),
      Buffer.from(text, 'utf16le'),
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]).subarray(2),
      Buffer.from(Buffer.from(text, 'utf8').toString('hex'), 'latin1'),
      Buffer.from(Buffer.from(text, 'utf8').toString('hex').toUpperCase(), 'latin1'),
      Buffer.from(Buffer.from(text, 'utf16le').swap16().toString('hex').toUpperCase(), 'latin1'),
    ]
    const secrets = [
      ...Object.keys(files),
      'Bilanz',
      'Lohnjournal',
      coverSentence,
      subject,
      'huber@kanzlei.test',
      'mueller',
      'text/csv',
      'application/pdf',
      'application/octet-stream',
    ]
    for (const secret of secrets)
      for (const form of forms(secret)) expect(bytes.includes(form), `${secret} readable`).toBe(false)
    // PDF names may escape characters as #xx (text#2fcsv): read them decoded.
    const names = bytes
      .toString('latin1')
      .replace(/#([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    for (const size of Object.values(files).map((b) => b.length))
      expect(names).not.toMatch(new RegExp(`/Size\\s+${size}\\b`))
    expect(names).not.toMatch(/\/Subtype\s*\/(application|text)/)
    expect(names).not.toMatch(/\/Params/)
  })

  it('container open: the text and byte-checked attachments with the password; a wrong password exits 1', () => {
    const out = join(dir, 'opened')
    const run = runCli([
      '--profile',
      join(dir, 'profile'),
      'container',
      'open',
      join(dir, 'container.pdf'),
      '--password-file',
      join(dir, 'pw'),
      '--save-attachments',
      out,
      '--json',
    ])
    expect(run.errorLines).toEqual([])
    expect(run.status).toBe(0)
    const opened = JSON.parse(run.stdout) as {
      subject: string
      from: string
      text: string
      attachments: { filename: string; sha256: string; size: number }[]
    }
    expect(opened.subject).toBe(subject)
    expect(opened.from).toBe('huber@kanzlei.test')
    expect(opened.text).toContain(coverSentence)
    expect(opened.attachments.map((a) => [a.filename, a.sha256, a.size])).toEqual(
      Object.entries(files).map(([name, b]) => [name, sha256(b), b.length]),
    )
    for (const [name, bytes] of Object.entries(files)) expect(sha256(readFileSync(join(out, name)))).toBe(sha256(bytes))
    const wrong = runCli([
      '--lang',
      'de',
      '--profile',
      join(dir, 'profile'),
      'container',
      'open',
      join(dir, 'container.pdf'),
      '--password-file',
      join(dir, 'wrong'),
      '--json',
    ])
    expect(wrong.status).toBe(1)
    expect(wrong.stdout).toBe('')
    expect(wrong.errorLines).toEqual([
      'siegelpost: Das Passwort öffnet dieses PDF nicht. Prüfen Sie das Passwort (Groß-/Kleinschreibung, Bindestriche) oder fragen Sie beim Absender nach.',
    ])
  })

  it('no plaintext temporary file: the build left nothing in its TMPDIR or profile but the encrypted output', () => {
    expect(readdirSync(temp)).toEqual([])
    const scan = (folder: string): string[] =>
      readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? scan(join(folder, entry.name)) : [join(folder, entry.name)],
      )
    const profile = join(dir, 'profile')
    for (const file of existsSync(profile) ? scan(profile) : []) {
      const bytes = readFileSync(file)
      expect(bytes.includes(Buffer.from(coverSentence)), file).toBe(false)
      expect(bytes.includes(files['Lohnjournal Dezember.csv']!), file).toBe(false)
    }
  })

  /** `compose --encrypt container` from the advisor to Frau Müller on the suite's profile, messages in English. */
  const composeContainer = (extra: string[]) =>
    runCli([
      '--lang',
      'en',
      '--profile',
      join(dir, 'profile'),
      'compose',
      '--encrypt',
      'container',
      '--from',
      'huber@kanzlei.test',
      '--to',
      'mueller@mandant.test',
      ...extra,
    ])

  it('enclosures over the size cap are refused before anything is read, with the limit named', () => {
    const big = join(dir, 'gross.bin')
    writeFileSync(big, '')
    truncateSync(big, 101 * 1024 * 1024)
    const run = composeContainer(['--attach', big, '--out', join(dir, 'x.eml')])
    expect(run.status).toBe(1)
    expect(run.errorLines.join('\n')).toMatch(/at most 100 MiB/)
  })

  it('a standing password that is too weak is refused with the reason', () => {
    writeFileSync(join(dir, 'weak'), '01.02.1975Mueller\n')
    const run = composeContainer(['--password-file', join(dir, 'weak'), '--out', join(dir, 'y.eml')])
    expect(run.status).toBe(1)
    expect(run.errorLines.join('\n')).toMatch(/too weak .*contains-date/)
  })
})
