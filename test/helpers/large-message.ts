import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { CliRun } from './run-cli.ts'

/** The process's peak RSS in MiB as the CLI reports it with SIEGELPOST_DEBUG_MAXRSS=1 (VmHWM, worker threads included). */
export const peakRssMiB = (stderr: string): number => Number(/siegelpost-debug: maxrss-kib=(\d+)/.exec(stderr)?.[1]) / 1024

/**
 * `open MAIL --json --save-attachments` of a large message with a temp folder of its own (to see
 * that no spool is left behind) and the peak RSS; `extra` options are appended (e.g. --progress).
 */
export function openLarge(cli: (args: string[], env?: Record<string, string>) => CliRun, dir: string, mail: string, name: string, extra: string[] = []) {
  const temp = join(dir, `${name}-tmp`)
  const saved = join(dir, `${name}-attachments`)
  mkdirSync(temp)
  const run = cli(['open', mail, '--json', '--save-attachments', saved, ...extra], { TMPDIR: temp, SIEGELPOST_DEBUG_MAXRSS: '1' })
  return { run, temp, saved, maxRssMiB: peakRssMiB(run.stderr) }
}
