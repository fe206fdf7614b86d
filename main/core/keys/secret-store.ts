/**
 * Where the vault key lives: the OS keychain in production (main/platform/os-keychain.ts).
 * The core never imports a keychain library; it gets one of these as an argument.
 * Implementations throw SiegelpostError KEYCHAIN_UNAVAILABLE | KEYCHAIN_LOCKED | KEYCHAIN_FAILED.
 */
export interface SecretStore {
  get(service: string, account: string): Promise<string | null>
  set(service: string, account: string, secret: string): Promise<void>
  delete(service: string, account: string): Promise<boolean>
}

/** The keychain entry of a profile's vault key: service `Siegelpost`, account `vault:<absolute profile path>` (CLI.md). */
export const keychainService = 'Siegelpost'
export function vaultKeychainAccount(absoluteProfileDir: string): string {
  return `vault:${absoluteProfileDir}`
}
