import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { memorySecretStore } from '../../../test/helpers/memory-secret-store.ts'
import { sampleKey } from '../../../test/helpers/sample-key.ts'
import type { SiegelpostError } from '../errors/index.ts'
import { limits } from '../limits.ts'
import { BackupSessions, backupFileName } from './backup.ts'
import type { KeyTechnology } from './technology.ts'
import { openVault, type Vault } from './vault.ts'

let dir: string
let vault: Vault
let clock: number
const exported: { passphrase: string }[] = []
/** Records the passphrase a secret export was asked to use; the real exports are tested with each technology. */
const recorder: KeyTechnology = {
  technology: 'openpgp',
  detect: () => false,
  import: async () => [],
  export: async (_key, request) => {
    exported.push({ passphrase: new TextDecoder().decode(request.passphrase!) })
    return new TextEncoder().encode('backup bytes')
  },
}
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sp-backup-'))
  vault = await openVault({ profileDir: dir, keySource: { mode: 'keychain', store: memorySecretStore() } })
  await vault.update(
    (draft) => void draft.keys.push(sampleKey(), sampleKey({ id: 'PUB', fingerprint: 'BBBB', hasSecret: false })),
  )
  clock = Date.parse('2026-11-25T12:00:00Z')
  exported.length = 0
})
afterEach(() => rm(dir, { recursive: true, force: true }))
const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: SiegelpostError) => error.code,
  )

describe('private-key backup sessions', () => {
  it('encrypt the backup under the recovery code, once it was typed back correctly', async () => {
    const sessions = new BackupSessions(() => new Date(clock))
    const { backupId, recoveryCode, fileName } = sessions.start(vault, sampleKey().id)
    expect(fileName).toBe('sicherung-anna-beraterin-01234567.asc')
    expect(await code(sessions.finish(vault, [recorder], backupId, 'ABCD-EFGH-1234-5678-9JKM-0NPQ'))).toBe(
      'BACKUP_CODE_MISMATCH',
    )
    expect(exported).toEqual([])
    const typed = recoveryCode.toLowerCase().replace(/-/g, ' ')
    const { bytes } = await sessions.finish(vault, [recorder], backupId, typed)
    expect(new TextDecoder().decode(bytes)).toBe('backup bytes')
    expect(exported).toEqual([{ passphrase: recoveryCode }])
    expect(await code(sessions.finish(vault, [recorder], backupId, recoveryCode))).toBe('BACKUP_SESSION_UNKNOWN')
  })

  it('refuse keys without a private part and forget sessions after their time', async () => {
    const sessions = new BackupSessions(() => new Date(clock))
    expect(() => sessions.start(vault, 'PUB')).toThrow(/private/)
    const { backupId, recoveryCode } = sessions.start(vault, sampleKey().id)
    clock += limits.backupSessionMs + 1
    expect(await code(sessions.finish(vault, [recorder], backupId, recoveryCode))).toBe('BACKUP_SESSION_UNKNOWN')
  })

  it('name files so people recognise them', () => {
    expect(backupFileName(sampleKey({ name: 'Jürgen Müßig & Söhne', technology: 'smime' }))).toBe(
      'sicherung-juergen-muessig-soehne-01234567.p12',
    )
  })
})
