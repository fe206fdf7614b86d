import { execFileSync, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasKeyringSession } from '../helpers/needs.ts'
import { assertBuilt, runCli } from '../helpers/run-cli.ts'

/** The accounts/send/outbox/policy contract of CLI.md, without a network (the servers are in test/integration and test/security). */
let dir: string
let base: string[]
beforeAll(async () => {
  assertBuilt()
  dir = await mkdtemp(join(tmpdir(), 'sp-transport-cli-'))
  writeFileSync(join(dir, 'vault-pass'), 'cli-vault-passphrase\n')
  writeFileSync(join(dir, 'pw'), 'mail-password\r\n')
  base = [
    '--profile',
    join(dir, 'profile'),
    ...(hasKeyringSession ? [] : ['--vault-passphrase-file', join(dir, 'vault-pass')]),
  ]
})
afterAll(() => rm(dir, { recursive: true, force: true }))
const cli = (...args: string[]) => runCli([...args, ...base])

describe('siegelpost accounts', () => {
  it('stores an account without connecting, with the security defaults, and lists it', () => {
    const add = cli(
      'accounts',
      'add',
      'kanzlei',
      '--email',
      'a@kanzlei.test',
      '--smtp',
      '127.0.0.1:587',
      '--imap',
      '127.0.0.1:993',
      '--user',
      'a',
      '--password-file',
      join(dir, 'pw'),
      '--pin',
      'AB:'.repeat(31) + 'AB',
    )
    expect(add.status, add.stderr).toBe(0)
    const list = JSON.parse(cli('accounts', 'list', '--json').stdout)
    expect(list).toEqual([
      expect.objectContaining({
        name: 'kanzlei',
        smtp: { host: '127.0.0.1', port: 587, security: 'starttls' },
        imap: { host: '127.0.0.1', port: 993, security: 'tls' },
        pin: 'ab'.repeat(32),
        hasCa: false,
      }),
    ])
    expect(JSON.stringify(list)).not.toContain('mail-password')
    for (const file of readdirSync(join(dir, 'profile')))
      expect(readFileSync(join(dir, 'profile', file)).includes('mail-password'), file).toBe(false)
  })

  /** `accounts add NAME` with placeholder servers (nothing is contacted) and `extra` options. */
  const addAccountArgs = (name: string, extra: string[] = []) => [
    'accounts',
    'add',
    name,
    '--email',
    'a@b.de',
    '--smtp',
    'h:465',
    '--imap',
    'h:993',
    '--user',
    'u',
    '--password-file',
    join(dir, 'pw'),
    ...extra,
  ]

  it.each([
    [['--smtp-security', 'none'], /Ungültiger Wert „none“.*tls, starttls/],
    [['--pin', 'abc'], /kein SHA-256-Fingerabdruck/],
    [['--smtp', 'nohost'], /keine gültige Angabe für --smtp/],
  ])('refuses %j with one line that names the fix', (extra, pattern) => {
    const run = cli(...addAccountArgs('x', extra))
    expect(run.status).not.toBe(0)
    expect(run.errorLines).toEqual([expect.stringMatching(pattern)])
  })

  it('refuses a duplicate name and an unknown account', () => {
    const dup = cli(...addAccountArgs('kanzlei'))
    expect(dup.errorLines).toEqual([expect.stringMatching(/gibt es schon/)])
    writeFileSync(join(dir, 'm.eml'), 'From: a@kanzlei.test\r\nTo: b@firma.de\r\n\r\nx\r\n')
    const send = cli('send', join(dir, 'm.eml'), '--account', 'nope')
    expect(send.status).toBe(1)
    expect(send.errorLines).toEqual([expect.stringMatching(/kein Konto „nope“/)])
    expect(JSON.parse(cli('outbox', 'list', '--json').stdout)).toEqual([])
  })
})

describe('siegelpost accounts remove', () => {
  it('forgets the account and its password, and names an unknown one', () => {
    expect(
      cli(
        'accounts',
        'add',
        'weg',
        '--email',
        'w@kanzlei.test',
        '--smtp',
        'h.test:465',
        '--imap',
        'h.test:993',
        '--user',
        'w',
        '--password-file',
        join(dir, 'pw'),
      ).status,
    ).toBe(0)
    const account = `mail:${join(dir, 'profile')}:weg`
    if (hasKeyringSession)
      expect(
        execFileSync('secret-tool', ['lookup', 'service', 'Siegelpost', 'username', account], { encoding: 'utf8' }),
      ).toBe('mail-password')
    const removed = cli('accounts', 'remove', 'weg', '--json')
    expect(removed.status, removed.stderr).toBe(0)
    expect(JSON.parse(removed.stdout)).toEqual({ name: 'weg', removed: true })
    expect(JSON.parse(cli('accounts', 'list', '--json').stdout).map((a: { name: string }) => a.name)).not.toContain(
      'weg',
    )
    if (hasKeyringSession)
      expect(
        spawnSync('secret-tool', ['lookup', 'service', 'Siegelpost', 'username', account], { encoding: 'utf8' }).stdout,
      ).toBe('')
    const again = cli('accounts', 'remove', 'weg')
    expect(again.status).toBe(1)
    expect(again.errorLines).toEqual([expect.stringMatching(/kein Konto „weg“/)])
  })
})

describe('siegelpost policy', () => {
  it('sets REQUIRETLS, rules, tls-exceptions with reason/who/date/expiry and consents', () => {
    expect(cli('policy', 'set', 'requiretls', 'require').status).toBe(0)
    expect(cli('policy', 'rule', 'Firma.de', '--require', 'e2e', '--by', 'Chefin').status).toBe(0)
    expect(
      cli(
        'policy',
        'tls-exception',
        'alt@firma.de',
        '--reason',
        'MX ohne TLS, schriftlich vereinbart',
        '--by',
        'Chefin',
        '--expires',
        '2027-06-30',
      ).status,
    ).toBe(0)
    expect(
      cli('policy', 'consent', 'alt@firma.de', '--channel', 'tls', '--by', 'Chefin', '--note', 'Brief vom 1.11.')
        .status,
    ).toBe(0)
    const policy = JSON.parse(cli('policy', 'show', '--json').stdout)
    expect(policy).toMatchObject({
      requiretls: 'require',
      rules: [{ target: 'firma.de', require: 'e2e', by: 'Chefin' }],
      tlsExceptions: [
        {
          target: 'alt@firma.de',
          reason: 'MX ohne TLS, schriftlich vereinbart',
          by: 'Chefin',
          expires: '2027-06-30T23:59:59.999Z',
        },
      ],
      consents: [{ address: 'alt@firma.de', channel: 'tls', by: 'Chefin', note: 'Brief vom 1.11.' }],
    })
    expect(policy.tlsExceptions[0].date).toMatch(/^\d{4}-\d{2}-\d{2}T/)
  })

  it.each([
    [['policy', 'set', 'requiretls', 'never'], /never/],
    [['policy', 'rule', 'firma.de', '--require', 'nothing'], /e2e, requiretls, mta-sts-or-dane/],
    [['policy', 'tls-exception', 'firma.de', '--by', 'X'], /--reason/],
    [['policy', 'tls-exception', 'firma.de', '--reason', 'r', '--by', 'X', '--expires', 'morgen'], /kein Datum/],
    [['policy', 'consent', 'firma de', '--channel', 'tls', '--by', 'X'], /weder eine Domain noch eine E-Mail-Adresse/],
    [['policy', 'consent', 'firma.de', '--channel', 'tls', '--by', 'X', '--expires', 'bald'], /kein Datum/],
  ])('refuses %j', (args, pattern) => {
    const run = cli(...args)
    expect(run.status).not.toBe(0)
    expect(run.errorLines).toEqual([expect.stringMatching(pattern)])
  })
})

describe('siegelpost outbox', () => {
  it('names unknown ids', () => {
    expect(cli('outbox', 'retry', 'nope').errorLines).toEqual([expect.stringMatching(/keinen Eintrag nope/)])
    expect(cli('outbox', 'drop', 'nope').errorLines).toEqual([expect.stringMatching(/keinen Eintrag nope/)])
  })
})
