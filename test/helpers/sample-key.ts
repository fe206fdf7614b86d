import type { StoredKey } from '../../main/core/keys/stored-key.ts'

/** A stored key record with placeholder material, for tests that only need the vault to carry keys. */
export function sampleKey(overrides: Partial<StoredKey> = {}): StoredKey {
  return {
    id: 'A1B2C3D4E5F60718',
    fingerprint: '0123456789ABCDEF0123456789ABCDEF01234567',
    technology: 'openpgp',
    name: 'Anna Beraterin',
    emails: ['anna@kanzlei.test'],
    hasSecret: true,
    acceptance: 'verified',
    created: '2026-01-02T03:04:05.000Z',
    expires: null,
    flags: { revoked: false, unusableReason: null },
    usage: ['sign', 'encrypt'],
    material: { note: 'test record' },
    ...overrides,
  }
}
