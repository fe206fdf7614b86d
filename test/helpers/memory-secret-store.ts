import type { SecretStore } from '../../main/core/keys/secret-store.ts'

/** An in-memory stand-in for the keychain in pure unit tests; the real one is tested in test/security and test/cli. */
export function memorySecretStore(
  initial: Record<string, string> = {},
): SecretStore & { entries: Map<string, string> } {
  const entries = new Map(Object.entries(initial))
  const key = (service: string, account: string) => `${service}\u0000${account}`
  return {
    entries,
    get: async (service, account) => entries.get(key(service, account)) ?? null,
    set: async (service, account, secret) => void entries.set(key(service, account), secret),
    delete: async (service, account) => entries.delete(key(service, account)),
  }
}
