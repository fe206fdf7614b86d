import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, runCli } from '../helpers/run-cli.ts'

/**
 * compose --plan, and --encrypt auto refusing a mail with a blocked recipient
 * (CLI.md "Sending to several recipients").
 */
const noKeychain = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus' }
let dir: string
let base: string[]
const cli = (...args: string[]) => runCli([...args, ...base], { env: noKeychain })
const compose = (...args: string[]) =>
  cli('compose', '--from', 'anna@kanzlei.test', '--subject', 'Lohnabrechnung', ...args)

beforeAll(async () => {
  assertBuilt()
  dir = await mkdtemp(join(tmpdir(), 'sp-cli-compose-'))
  await writeFile(join(dir, 'vault-pass'), 'Tresor\n')
  base = ['--profile', join(dir, 'profile'), '--vault-passphrase-file', join(dir, 'vault-pass'), '--lang', 'en']
  for (const args of [
    ['keys', 'generate', '--name', 'Anna Beraterin', '--email', 'anna@kanzlei.test'],
    ['policy', 'consent', 'firma.de', '--channel', 'tls', '--by', 'Chefin'],
    ['policy', 'consent', 'paul@firma.de', '--channel', 'container', '--by', 'Chefin'],
    ['policy', 'rule', 'streng@firma.de', '--require', 'e2e', '--by', 'Chefin'],
  ]) {
    const run = cli(...args)
    expect(run.status, run.stderr).toBe(0)
  }
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('siegelpost compose --plan', () => {
  it('prints what each recipient would get and why, exits 0 even with blocked recipients, and writes nothing', () => {
    const run = compose(
      '--to',
      'anna@kanzlei.test',
      '--to',
      'lisa@firma.de',
      '--cc',
      'paul@firma.de',
      '--cc',
      'streng@firma.de',
      '--bcc',
      'fremd@example.test',
      '--bcc',
      'kein-at',
      '--plan',
      '--json',
    )
    expect(run.status, run.stderr).toBe(0)
    const plan = JSON.parse(run.stdout)
    expect(Object.keys(plan)).toEqual(['recipients', 'messages'])
    expect(
      plan.recipients.map((r: Record<string, unknown>) => [
        r.address,
        r.field,
        r.protection,
        r.code,
        r.consent && (r.consent as { channel: string }).channel,
      ]),
    ).toEqual([
      ['anna@kanzlei.test', 'to', 'openpgp', 'RECIPIENT_E2E_VERIFIED', null],
      ['lisa@firma.de', 'to', 'tls', 'RECIPIENT_TLS_CONSENT', 'tls'],
      // An address entry beats the domain entry.
      ['paul@firma.de', 'cc', 'container', 'RECIPIENT_CONTAINER_CONSENT', 'container'],
      // A rule requiring e2e beats the domain's TLS consent.
      ['streng@firma.de', 'cc', 'blocked', 'RECIPIENT_E2E_RULE_NO_KEY', 'tls'],
      ['fremd@example.test', 'bcc', 'blocked', 'RECIPIENT_NO_KEY', null],
      ['kein-at', 'bcc', 'blocked', 'RECIPIENT_BAD_ADDRESS', null],
    ])
    const [anna, lisa] = plan.recipients
    expect(anna.key).toMatch(/^[0-9A-F]{40}$/)
    expect(Object.keys(anna)).toEqual(['address', 'field', 'protection', 'why', 'code', 'key', 'consent'])
    expect(lisa).toMatchObject({
      key: null,
      consent: { channel: 'tls', by: 'Chefin', target: 'firma.de' },
      why: expect.stringMatching(
        /^Transport encryption only \(enforced TLS\).*consent "tls" for firma\.de documented on \d{4}-\d{2}-\d{2} by Chefin/,
      ),
    })
    expect(plan.messages).toBe(3)
  })

  it('gives the reasons in German with --lang de', () => {
    const run = runCli(
      [
        'compose',
        '--from',
        'anna@kanzlei.test',
        '--to',
        'fremd@example.test',
        '--plan',
        '--json',
        ...base.slice(0, -2),
        '--lang',
        'de',
      ],
      { env: noKeychain },
    )
    expect(JSON.parse(run.stdout).recipients[0].why).toBe(
      'Kein sicherer Versandweg: Für fremd@example.test gibt es keinen verwendbaren Schlüssel und keine dokumentierte Einwilligung.',
    )
  })
})

describe('siegelpost compose --encrypt auto', () => {
  it('writes nothing when a recipient is blocked: exit 1 and one line naming each blocked recipient and the ways out', async () => {
    const out = join(dir, 'blocked.eml')
    const run = compose(
      '--to',
      'anna@kanzlei.test',
      '--to',
      'fremd@example.test',
      '--cc',
      'paul@firma.de',
      '--out',
      out,
    )
    expect(run.status).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.errorLines).toHaveLength(1)
    expect(run.errorLines[0]).toMatch(
      /^siegelpost: Nothing composed and nothing sent – no secure way to send to fremd@example\.test\. /,
    )
    expect(run.errorLines[0]).toMatch(
      /no usable key for fremd@example\.test.*Ways out: import the recipient's key \(siegelpost keys import\), record the client's consent \(siegelpost policy consent ADDRESS --channel …\) or choose the password PDF/,
    )
    await expect(readFile(out)).rejects.toThrow()
    expect(JSON.parse(cli('outbox', 'list', '--json').stdout)).toEqual([])
  })

  it('writes the one message the plan makes: TLS by consent is unencrypted, and unsigned without an S/MIME certificate', async () => {
    const out = join(dir, 'tls.eml')
    const run = compose('--to', 'lisa@firma.de', '--out', out, '--json')
    expect(run.status, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({
      protection: 'tls',
      technology: null,
      encrypted: false,
      signed: false,
    })
    const opened = JSON.parse(cli('open', out, '--json').stdout)
    expect(opened.security.encryption.state).toBe('none')
    expect(opened.security.signature.state).toBe('none')
    expect(await readFile(out, 'latin1')).not.toContain('BEGIN PGP')
  })

  it('refuses an .eml for recipients who need separate messages (different protection or Bcc), pointing to --send', () => {
    for (const extra of [
      ['--to', 'lisa@firma.de'],
      ['--bcc', 'lisa@firma.de'],
    ]) {
      const run = compose('--to', 'anna@kanzlei.test', ...extra, '--out', join(dir, 'two.eml'))
      expect(run.status).toBe(1)
      expect(run.errorLines).toEqual([expect.stringMatching(/need 2 separate messages .*--send --account NAME/)])
    }
  })

  it('names the .eml that cannot be written (a missing folder) with the fix, not an internal error', () => {
    const out = join(dir, 'no-such-folder', 'x.eml')
    const run = compose('--to', 'anna@kanzlei.test', '--out', out)
    expect(run.status).toBe(1)
    expect(run.errorLines).toEqual([expect.stringContaining(`The file ${out} cannot be written (ENOENT)`)])
  })

  it('--send needs --account and takes no --out (usage, exit 2)', () => {
    expect(compose('--to', 'anna@kanzlei.test', '--send').status).toBe(2)
    expect(compose('--to', 'anna@kanzlei.test', '--send', '--account', 'x', '--out', join(dir, 'x.eml')).status).toBe(2)
  })
})
