import { AsyncEntry } from '@napi-rs/keyring'
import { SiegelpostError } from '../core/errors/index.ts'
import type { SecretStore } from '../core/keys/secret-store.ts'
import { limits } from '../core/limits.ts'

/**
 * The OS keychain through @napi-rs/keyring. On Linux the entry is pinned to Secret Service:
 * the library's default silently falls back to the kernel keyring, which forgets everything at
 * reboot — that would lose the vault key and with it every private key.
 */
const entryOptions = process.platform === 'linux' ? { linux: { store: 'secret-service' as const } } : undefined

/** Map the keychain's messages (checked on Linux, toolchain.md §4) to errors that name the fix. */
export function keychainError(error: unknown): SiegelpostError {
  const message = error instanceof Error ? error.message : String(error)
  if (/no result found|locked|dismissed|prompt/i.test(message))
    return new SiegelpostError('KEYCHAIN_LOCKED', {}, { cause: error })
  if (
    /dbus|d-bus|autolaunch|failed to connect|no such file|not available|NoStorageAccess|platform failure|AbortError|aborted/i.test(
      message,
    )
  ) {
    return new SiegelpostError('KEYCHAIN_UNAVAILABLE', {}, { cause: error })
  }
  return new SiegelpostError('KEYCHAIN_FAILED', { reason: message.slice(0, 200) }, { cause: error })
}

async function withEntry<T>(
  service: string,
  account: string,
  use: (entry: AsyncEntry, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  try {
    const entry = new AsyncEntry(service, account, entryOptions)
    return await use(entry, AbortSignal.timeout(limits.keychainTimeoutMs))
  } catch (error) {
    throw keychainError(error)
  }
}

export function createOsKeychain(): SecretStore {
  return {
    get: (service, account) => withEntry(service, account, (entry, signal) => entry.getPassword(signal)),
    set: (service, account, secret) =>
      withEntry(service, account, (entry, signal) => entry.setPassword(secret, signal)),
    delete: (service, account) => withEntry(service, account, (entry, signal) => entry.deletePassword(signal)),
  }
}
