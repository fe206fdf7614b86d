import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { stackAccountArgs, type MailStack } from './mail-stack.ts'
import { runCli } from './run-cli.ts'

export interface PassphraseProfile {
  /** The profile folder. */
  profile: string
  /** The vault's passphrase (passphrase mode, no keychain). */
  passphrase: string
  /** Where the passphrase and password files are written. */
  dir: string
}

/**
 * Adds a virtual user of the stack as the account "kanzlei" to a profile in the vault's passphrase mode, through
 * the built CLI; the passphrase and the user's password (`<local part>-pw`) are written as files into `dir`.
 */
export function addStackAccountToProfile(stack: MailStack, user: string, target: PassphraseProfile): void {
  writeFileSync(join(target.dir, 'vault-pass'), `${target.passphrase}\n`)
  writeFileSync(join(target.dir, 'pw'), `${user.split('@')[0]}-pw\n`)
  const add = runCli([
    ...stackAccountArgs(stack, 'kanzlei', user, join(target.dir, 'pw')),
    '--profile',
    target.profile,
    '--vault-passphrase-file',
    join(target.dir, 'vault-pass'),
  ])
  expect(add.status, add.stderr).toBe(0)
}
