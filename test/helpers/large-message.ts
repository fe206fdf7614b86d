import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, type CliRun } from './run-cli.ts'

/** The process's peak RSS in MiB as the CLI reports it with SIEGELPOST_DEBUG_MAXRSS=1 (VmHWM, worker threads included). */
export const peakRssMiB = (stderr: string): number =>
  Number(/siegelpost-debug: maxrss-kib=(\d+)/.exec(stderr)?.[1]) / 1024

/**
 * `open MAIL --json --save-attachments` of a large message with a temp folder of its own (to see
 * that no spool is left behind) and the peak RSS; `extra` options are appended (e.g. --progress).
 */
export function openLarge(
  cli: (args: string[], env?: Record<string, string>) => CliRun,
  dir: string,
  mail: string,
  name: string,
  extra: string[] = [],
) {
  const temp = join(dir, `${name}-tmp`)
  const saved = join(dir, `${name}-attachments`)
  mkdirSync(temp)
  const run = cli(['open', mail, '--json', '--save-attachments', saved, ...extra], {
    TMPDIR: temp,
    SIEGELPOST_DEBUG_MAXRSS: '1',
  })
  return { run, temp, saved, maxRssMiB: peakRssMiB(run.stderr) }
}

/** The peak RSS a large-message open or compose may reach (the in-memory path needed 0.7–1.1 GiB for 64–100 MiB). */
export const largeMessageMaxRssMiB = 560

/**
 * The built CLI on a profile of its own in the vault's passphrase mode, with no keychain reachable
 * (so the figures measure the message work, not a keyring session).
 */
export function passphraseProfileCli(dir: string): (args: string[], env?: Record<string, string>) => CliRun {
  writeFileSync(join(dir, 'vault-pass'), 'Tresor-Passwort\n')
  const noKeychain = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus' }
  return (args, env = {}) =>
    runCli([...args, '--profile', join(dir, 'profile'), '--vault-passphrase-file', join(dir, 'vault-pass')], {
      env: { ...noKeychain, ...env },
    })
}
