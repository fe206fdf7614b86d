import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { stackAccountArgs, writeStackPassword, type MailStack } from './mail-stack.ts'
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
 * the built CLI; the passphrase and the user's password are written as files into `dir`.
 */
export function addStackAccountToProfile(stack: MailStack, user: string, target: PassphraseProfile): void {
  writeFileSync(join(target.dir, 'vault-pass'), `${target.passphrase}\n`)
  const add = runCli([
    ...stackAccountArgs(stack, 'kanzlei', user, writeStackPassword(target.dir, user)),
    '--profile',
    target.profile,
    '--vault-passphrase-file',
    join(target.dir, 'vault-pass'),
  ])
  expect(add.status, add.stderr).toBe(0)
}
