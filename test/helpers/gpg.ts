import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** GnuPG 2.2 (Debian `gnupg`) as the real interop peer. */
export const hasGpg = spawnSync('gpg', ['--version'], { encoding: 'utf8' }).status === 0

export interface GpgResult {
  status: number | null
  stdout: Buffer
  stderr: string
  /** Lines of --status-fd 2 output ("[GNUPG:] GOODSIG …"), keywords first. */
  statusLines: string[]
}

/** A throwaway GNUPGHOME: its own agent, killed and deleted by close(). */
export class GpgHome {
  readonly dir = mkdtempSync(join(tmpdir(), 'sp-gnupg-'))

  run(args: string[], input?: Uint8Array | string): GpgResult {
    const result = spawnSync(
      'gpg',
      [
        '--homedir',
        this.dir,
        '--batch',
        '--yes',
        '--no-tty',
        '--status-fd',
        '2',
        '--pinentry-mode',
        'loopback',
        ...args,
      ],
      {
        input,
        timeout: 60_000,
        maxBuffer: 512 * 1024 * 1024,
      },
    )
    const stderr = result.stderr?.toString('utf8') ?? ''
    return {
      status: result.status,
      stdout: result.stdout ?? Buffer.alloc(0),
      stderr,
      statusLines: stderr
        .split('\n')
        .filter((line) => line.startsWith('[GNUPG:] '))
        .map((line) => line.slice(9)),
    }
  }

  /** Runs gpg and throws with its stderr when it fails. */
  ok(args: string[], input?: Uint8Array | string): GpgResult {
    const result = this.run(args, input)
    if (result.status !== 0) throw new Error(`gpg ${args.join(' ')} failed (${result.status}): ${result.stderr}`)
    return result
  }

  /** An Ed25519 + Cv25519 key for `uid`, protected by `passphrase`; returns its fingerprint. */
  generate(uid: string, passphrase: string, algo = 'ed25519', encryptionAlgo = 'cv25519'): string {
    this.ok(['--passphrase', passphrase, '--quick-gen-key', uid, algo, 'sign,cert', 'never'])
    const fingerprint = this.fingerprintOf(uid)
    this.ok(['--passphrase', passphrase, '--quick-add-key', fingerprint, encryptionAlgo, 'encr', 'never'])
    return fingerprint
  }

  fingerprintOf(uid: string): string {
    const listing = this.ok(['--with-colons', '--list-keys', uid]).stdout.toString('utf8')
    return /^fpr:+([0-9A-F]+):/m.exec(listing)![1]!
  }

  close(): void {
    spawnSync('gpgconf', ['--homedir', this.dir, '--kill', 'all'])
    rmSync(this.dir, { recursive: true, force: true })
  }
}
