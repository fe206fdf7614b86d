import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { limits } from '../../main/core/limits.ts'
import { assertBuilt, runCli } from '../helpers/run-cli.ts'

/**
 * SIEGELPOST_LIMITS_FILE (main/core/limits-override.ts): a measurement may raise the message-size limits of
 * limits.ts, nothing else, never lower them, and every run says so on stderr.
 */
const noKeychain = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus' }
let dir: string
let base: string[]
const cli = (env: Record<string, string>, ...args: string[]) =>
  runCli([...args, ...base], { env: { ...noKeychain, ...env } })
const withFile = async (name: string, text: string) => {
  await writeFile(join(dir, name), text)
  return { SIEGELPOST_LIMITS_FILE: join(dir, name) }
}

beforeAll(async () => {
  assertBuilt()
  dir = await mkdtemp(join(tmpdir(), 'sp-cli-limits-'))
  await writeFile(join(dir, 'vault-pass'), 'Tresor\n')
  base = ['--profile', join(dir, 'profile'), '--vault-passphrase-file', join(dir, 'vault-pass')]
  // One byte over the policy, sparse: the size check refuses it before a byte is read.
  await writeFile(join(dir, 'jahresabschluss.pdf'), '')
  await truncate(join(dir, 'jahresabschluss.pdf'), limits.attachmentMaxBytes + 1)
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('SIEGELPOST_LIMITS_FILE', () => {
  const plan = ['compose', '--from', 'anna@kanzlei.test', '--to', 'max@mandant.test', '--plan']

  it('raises the attachment limit for the run and warns on stderr, in the chosen language', async () => {
    const attach = ['--attach', join(dir, 'jahresabschluss.pdf')]
    const refused = cli({}, ...plan, ...attach)
    expect(refused.status).toBe(1)
    expect(refused.errorLines).toEqual([expect.stringMatching(/größer als erlaubt \(150 MiB\)/)])

    const raised = await withFile('raise.json', `{"attachmentMaxBytes": ${limits.attachmentMaxBytes + 1}}`)
    const run = cli(raised, ...plan, ...attach)
    expect(run.status, run.stderr).toBe(0)
    expect(run.errorLines).toEqual([
      `siegelpost: Warnung: SIEGELPOST_LIMITS_FILE hebt Größen-Grenzwerte an, nur für Messungen ` +
        `(attachmentMaxBytes=${limits.attachmentMaxBytes + 1})`,
    ])
    const english = cli(raised, 'keys', 'list', '--lang', 'en')
    expect(english.status, english.stderr).toBe(0)
    expect(english.errorLines).toEqual([expect.stringMatching(/^siegelpost: warning: .* for measurements only/)])
  })

  it.each([
    ['lowers a limit', `{"attachmentMaxBytes": 1024}`, /kann Grenzwerte nur anheben.*ab 157286400/],
    ['names a depth limit', `{"mimeMaxDepth": 100000}`, /nennt „mimeMaxDepth“\. Nur diese Größen-Grenzwerte/],
    ['is not JSON', `attachmentMaxBytes = 2 GiB`, /kein JSON-Objekt\. Schreiben Sie z\. B\./],
  ])('refuses a file that %s with one line and the fix, and runs nothing', async (_what, text, pattern) => {
    const run = cli(await withFile('bad.json', text), 'keys', 'list')
    expect(run.status).toBe(1)
    expect(run.errorLines).toEqual([expect.stringMatching(pattern)])
    expect(run.stdout).toBe('')
  })

  it('refuses a file that is not there, in English with --lang en', () => {
    const run = cli({ SIEGELPOST_LIMITS_FILE: join(dir, 'missing.json') }, 'keys', 'list', '--lang', 'en')
    expect(run.status).toBe(1)
    expect(run.errorLines).toEqual([
      expect.stringMatching(/^siegelpost: The limits file .*missing\.json named by SIEGELPOST_LIMITS_FILE cannot/),
    ])
  })
})
