import { expect } from 'vitest'
import { keychainService } from '../../main/core/keys/secret-store.ts'
import { createOsKeychain } from '../../main/platform/os-keychain.ts'
import { runCli } from '../helpers/run-cli.ts'

/**
 * The built CLI on a keychain-mode profile (account passwords go into the OS keychain of the test keyring
 * session); every run must succeed, else the command and its stderr are named.
 */
export const keychainProfileCli = (profileDir: string) => (args: string[]) => {
  const run = runCli([...args, '--profile', profileDir])
  expect(run.status, `${args.join(' ')}: ${run.stderr}`).toBe(0)
}

/**
 * Removes what `accounts add NAME` put into the OS keychain of the test keyring session for a profile (the
 * account's password), so the keyring holds nothing of a finished suite; nothing there is no error.
 */
export async function forgetAccountPassword(profileDir: string, name = 'kanzlei'): Promise<void> {
  await createOsKeychain()
    .delete(keychainService, `mail:${profileDir}:${name}`)
    .catch(() => false)
}
