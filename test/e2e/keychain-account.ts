import { keychainService } from '../../main/core/keys/secret-store.ts'
import { createOsKeychain } from '../../main/platform/os-keychain.ts'

/**
 * Removes what `accounts add NAME` put into the OS keychain of the test keyring session for a profile (the
 * account's password), so the keyring holds nothing of a finished suite; nothing there is no error.
 */
export async function forgetAccountPassword(profileDir: string, name = 'kanzlei'): Promise<void> {
  await createOsKeychain()
    .delete(keychainService, `mail:${profileDir}:${name}`)
    .catch(() => false)
}
