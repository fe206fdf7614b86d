import { writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, runCli } from '../helpers/run-cli.ts'

/** The Mailbox commands of CLI.md without a server (the synced ones are in test/integration/mailbox-sync.test.ts). */
let dir: string
let base: string[]
beforeAll(async () => {
  assertBuilt()
  dir = await mkdtemp(join(tmpdir(), 'sp-mailbox-cli-'))
  writeFileSync(join(dir, 'vault-pass'), 'mailbox-cli-passphrase\n')
  base = ['--profile', join(dir, 'profile'), '--vault-passphrase-file', join(dir, 'vault-pass')]
})
afterAll(() => rm(dir, { recursive: true, force: true }))
const cli = (...args: string[]) => runCli([...args, ...base])

describe('siegelpost mail', () => {
  it('lists an empty store as [] and says so in words', () => {
    const json = cli('mail', 'list', '--json')
    expect(json.status, json.stderr).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual([])
    expect(cli('mail', 'list').stdout).toBe('Keine Nachrichten.\n')
    expect(cli('mail', 'list', '--lang', 'en').stdout).toBe('No messages.\n')
  })

  it.each([
    [['mail', 'show', 'nope'], 1, /keine gespeicherte Nachricht nope/],
    [['mail', 'flag', 'nope', '--seen'], 1, /keine gespeicherte Nachricht nope/],
    [['mail', 'delete', 'nope'], 1, /keine gespeicherte Nachricht nope/],
    [['mail', 'move', 'nope'], 2, /„mail move“ braucht --to/],
    [['mail', 'flag', 'nope'], 2, /„mail flag“ braucht --seen \| --unseen/],
    [['mail', 'flag', 'nope', '--seen', '--unseen'], 2, /Unerwartetes Argument „--unseen“/],
    [['fetch', '--account', 'x', '--folder', 'INBOX', '--all-folders'], 2, /Unerwartetes Argument „--all-folders“/],
  ])('%j exits %i with one German line', (args, status, pattern) => {
    const run = cli(...args)
    expect(run.status).toBe(status)
    expect(run.errorLines).toEqual([expect.stringMatching(pattern)])
  })

  it('names the error in English with --lang en', () => {
    expect(cli('mail', 'show', 'nope', '--lang', 'en').errorLines).toEqual([
      expect.stringMatching(/There is no stored message nope/),
    ])
  })
})
