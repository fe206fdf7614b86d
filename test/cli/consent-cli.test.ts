import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeBody, parseMime } from '../../main/core/mime/parse.ts'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt, runCli } from '../helpers/run-cli.ts'

/**
 * The consent register through the CLI: history kept, standing passwords sealed and used, the agreement letter,
 * the CSV and PDF export. The vault runs in passphrase mode (no keychain needed).
 */
const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0
const skip = skipUnless('pdftotext', has('pdftotext'), 'apt-get install poppler-utils')

let dir: string
const standing = 'Rheinufer-Kaffee-Morgen-42'
const cli = (args: string[], lang = 'en') =>
  runCli(['--lang', lang, '--profile', join(dir, 'profile'), '--vault-passphrase-file', join(dir, 'vp'), ...args])
type ConsentRow = {
  address: string
  channel: string
  by: string
  current: boolean
  hasPassword: boolean
  transmitted: string | null
  expires: string | null
}
const consents = () => (JSON.parse(cli(['policy', 'show', '--json']).stdout) as { consents: ConsentRow[] }).consents

describe.skipIf(skip)('consent register', () => {
  beforeAll(() => {
    assertBuilt()
    dir = mkdtempSync(join(tmpdir(), 'sp-consent-'))
    writeFileSync(join(dir, 'vp'), 'register-tresor-2026\n')
    writeFileSync(join(dir, 'weak'), '01.02.1975Mueller\n')
    writeFileSync(join(dir, 'standing'), `${standing}\n`)
  })
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }))

  it('a change adds an entry and keeps the earlier one, marked not current', () => {
    expect(
      cli([
        'policy',
        'consent',
        'mueller@mandant.test',
        '--channel',
        'tls',
        '--by',
        'Huber',
        '--note',
        'telefonisch vereinbart',
      ]).status,
    ).toBe(0)
    expect(
      cli([
        'policy',
        'consent',
        'mueller@mandant.test',
        '--channel',
        'plain',
        '--by',
        'Huber',
        '--expires',
        '2027-12-31',
      ]).status,
    ).toBe(0)
    const rows = consents().filter((c) => c.address === 'mueller@mandant.test')
    expect(rows.map((c) => [c.channel, c.current])).toEqual([
      ['tls', false],
      ['plain', true],
    ])
    expect(rows[1]!.expires).toBe('2027-12-31T23:59:59.999Z')
  })

  /** Container consent for firma.test recorded by Huber, with the standing password in `passwordFile`. */
  const containerConsent = (passwordFile: string, extra: string[] = []) => [
    'policy',
    'consent',
    'firma.test',
    '--channel',
    'container',
    '--by',
    'Huber',
    '--password-file',
    passwordFile,
    ...extra,
  ]

  it('a weak standing password is refused with the reason and changes nothing', () => {
    const before = consents()
    const run = cli(containerConsent(join(dir, 'weak')))
    expect(run.status).toBe(1)
    expect(run.errorLines.join('\n')).toMatch(/too weak for a standing client password \(contains-date\)/)
    expect(consents()).toEqual(before)
  })

  it('a standing password is kept sealed: "hasPassword" in the register, the password itself nowhere in clear', () => {
    const run = cli(
      containerConsent(join(dir, 'standing'), ['--transmitted', 'post', '--transmitted-on', '2026-12-01']),
    )
    expect(run.status).toBe(0)
    expect(run.stdout).not.toContain(standing)
    const row = consents().find((c) => c.address === 'firma.test')!
    expect(row).toMatchObject({ channel: 'container', hasPassword: true, transmitted: 'post', current: true })
    expect(JSON.stringify(consents())).not.toContain(standing)
    for (const file of readdirSync(join(dir, 'profile'))) {
      const bytes = readFileSync(join(dir, 'profile', file))
      expect(bytes.includes(Buffer.from(standing)), file).toBe(false)
      expect(bytes.includes(Buffer.from(standing, 'utf16le')), file).toBe(false)
    }
  })

  it('compose --encrypt container uses the standing password of the recipient’s domain and prints none', () => {
    writeFileSync(join(dir, 'body.txt'), 'Die Lohnabrechnung Dezember liegt bei.\n')
    writeFileSync(join(dir, 'Lohn.csv'), 'a;b\n')
    const run = cli([
      'compose',
      '--encrypt',
      'container',
      '--from',
      'huber@kanzlei.test',
      '--to',
      'buchhaltung@firma.test',
      '--subject',
      'Lohn',
      '--body-file',
      join(dir, 'body.txt'),
      '--attach',
      join(dir, 'Lohn.csv'),
      '--out',
      join(dir, 'c.eml'),
      '--json',
    ])
    expect(run.errorLines).toEqual([])
    expect(run.status).toBe(0)
    expect(JSON.parse(run.stdout)).not.toHaveProperty('containerPassword')
    const pdf = parseMime(new Uint8Array(readFileSync(join(dir, 'c.eml')))).children.find(
      (p) => p.contentType.type === 'application/pdf',
    )!
    writeFileSync(join(dir, 'c.pdf'), decodeBody(pdf))
    expect(execFileSync('pdftotext', ['-upw', standing, join(dir, 'c.pdf'), '-'], { encoding: 'utf8' })).toContain(
      'Die Lohnabrechnung Dezember liegt bei.',
    )
  })

  it('exports the register as CSV with formula cells neutralised, and as a PDF report with the history', () => {
    expect(
      cli([
        'policy',
        'consent',
        'evil@mandant.test',
        '--channel',
        'tls',
        '--by',
        '=HYPERLINK("http://x")',
        '--note',
        '+49 171 1234567',
      ]).status,
    ).toBe(0)
    expect(cli(['policy', 'export', '--out', join(dir, 'register.csv')]).status).toBe(0)
    const csv = readFileSync(join(dir, 'register.csv'), 'utf8')
    expect(csv.startsWith('\uFEFFaddress;channel;by;date;')).toBe(true)
    const evil = csv.split('\r\n').find((line) => line.startsWith('evil@'))!
    expect(evil).toContain(`"'=HYPERLINK(""http://x"")"`)
    expect(evil).toContain(";'+49 171 1234567;")
    expect(csv.split('\r\n').filter((line) => line.startsWith('mueller@')).length).toBe(2)
    expect(cli(['policy', 'export', '--out', join(dir, 'register.pdf')], 'de').status).toBe(0)
    const report = execFileSync('pdftotext', [join(dir, 'register.pdf'), '-'], { encoding: 'utf8' })
    expect(report).toContain('Einwilligungsregister')
    expect(report).toMatch(/mueller@mandant\.test[\s\S]*ersetzt[\s\S]*gültig/)
    expect(report).toMatch(/Passwort übergeben per Brief/)
    expect(report).not.toContain(standing)
  })

  it('prints the agreement letter with the agreed channel ticked, German and English', () => {
    expect(cli(['policy', 'consent-letter', 'firma.test', '--out', join(dir, 'letter.pdf')]).status).toBe(0)
    const letter = execFileSync('pdftotext', [join(dir, 'letter.pdf'), '-'], { encoding: 'utf8' })
    expect(letter).toContain('Vereinbarung über den E-Mail-Versand vertraulicher Unterlagen')
    expect(letter).toContain('Agreement on sending confidential documents by e-mail')
    expect(letter).toContain('firma.test')
    expect(letter).toMatch(/\[X\]\s+als Passwort-PDF/)
    expect(letter).toMatch(/\[ \]\s+ohne Ende-zu-Ende-Verschlüsselung/)
    expect(letter).not.toContain(standing)
  })
})
