import { randomUUID } from 'node:crypto'
import { SiegelpostError } from '../errors/index.ts'
import { limits } from '../limits.ts'
import { keyFileName } from './key-file-names.ts'
import { exportKey, findKey } from './key-store.ts'
import { generateRecoveryCode, isSameRecoveryCode } from './recovery-code.ts'
import type { StoredKey } from './stored-key.ts'
import type { KeyTechnology } from './technology.ts'
import type { Vault } from './vault.ts'

interface PendingBackup {
  fingerprint: string
  recoveryCode: string
  fileName: string
  expiresAt: number
}

/** `sicherung-anna-beraterin-0123ABCD.asc`: who and which key, readable on any file system. */
export const backupFileName = (key: StoredKey): string => keyFileName(key, 'backup')

/**
 * Private-key backups (UI.md §1.4): a fresh recovery code is shown once; the backup is written
 * only after the user typed it back, encrypted under that code. The code lives here, in main,
 * until then and is forgotten afterwards.
 */
export class BackupSessions {
  private readonly pending = new Map<string, PendingBackup>()
  private readonly now: () => Date

  constructor(now: () => Date) {
    this.now = now
  }

  start(vault: Vault, idOrFingerprint: string): { backupId: string; recoveryCode: string; fileName: string } {
    const key = findKey(vault.contents, idOrFingerprint)
    if (!key.hasSecret) throw new SiegelpostError('KEY_NO_SECRET', { id: idOrFingerprint })
    this.prune()
    const backupId = randomUUID()
    const session = {
      fingerprint: key.fingerprint,
      recoveryCode: generateRecoveryCode(),
      fileName: backupFileName(key),
      expiresAt: this.now().getTime() + limits.backupSessionMs,
    }
    this.pending.set(backupId, session)
    return { backupId, recoveryCode: session.recoveryCode, fileName: session.fileName }
  }

  /** The session's key and code, for the recovery sheet (the only other place the code appears). */
  peek(backupId: string): PendingBackup {
    this.prune()
    const session = this.pending.get(backupId)
    if (!session) throw new SiegelpostError('BACKUP_SESSION_UNKNOWN')
    return session
  }

  /** Checks the typed code and returns the backup file's bytes; the session ends only on success. */
  async finish(
    vault: Vault,
    technologies: readonly KeyTechnology[],
    backupId: string,
    typedCode: string,
  ): Promise<{ bytes: Uint8Array; fileName: string }> {
    const session = this.peek(backupId)
    if (!isSameRecoveryCode(session.recoveryCode, typedCode)) throw new SiegelpostError('BACKUP_CODE_MISMATCH')
    const bytes = await exportKey(vault, technologies, session.fingerprint, {
      part: 'secret',
      format: undefined,
      passphrase: new TextEncoder().encode(session.recoveryCode),
      compat: false,
    })
    this.pending.delete(backupId)
    return { bytes, fileName: session.fileName }
  }

  cancel(backupId: string): void {
    this.pending.delete(backupId)
  }

  private prune(): void {
    const now = this.now().getTime()
    for (const [id, session] of this.pending) if (session.expiresAt <= now) this.pending.delete(id)
  }
}
