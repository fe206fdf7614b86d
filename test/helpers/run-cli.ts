import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const bin = fileURLToPath(new URL('../../bin/siegelpost.js', import.meta.url))

/** The built CLI is what users run; tests use it, so `npm test` builds first. */
export function assertBuilt(): void {
  if (!existsSync(new URL('../../out/main/cli.js', import.meta.url))) {
    throw new Error('out/main/cli.js is missing: run "npm run build" first (npm test does)')
  }
}

const helperNoise = /^(dbus-daemon\[\d+\]|GNOME_KEYRING_\w+=|SSH_AUTH_SOCK=)/
// gnome-keyring-daemon prints this without a newline, so our own line may follow it directly.
const helperPrefix = /^discover_other_daemon: \d+/

export interface CliRun {
  status: number | null
  stdout: string
  stderr: string
  /** Every stderr line except the known chatter of a D-Bus session and a D-Bus-activated keyring daemon. */
  errorLines: string[]
}

export function runCli(
  args: string[],
  options: { env?: Record<string, string | undefined>; command?: string[] } = {},
): CliRun {
  const env: Record<string, string | undefined> = { ...process.env, LANG: 'C', ...options.env }
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key]
  const command = options.command ?? [process.execPath]
  const result = spawnSync(command[0]!, [...command.slice(1), bin, ...args], { env, encoding: 'utf8', timeout: 60_000 })
  const stderr = result.stderr ?? ''
  return {
    status: result.status,
    stdout: result.stdout ?? '',
    stderr,
    errorLines: stderr
      .split('\n')
      .map((line) => line.replace(helperPrefix, ''))
      .filter((line) => line.trim() !== '' && !helperNoise.test(line)),
  }
}

/**
 * Like runCli, but without blocking this process: needed when the test itself runs the servers the
 * CLI talks to (a spawnSync would freeze their event loop).
 */
export function runCliAsync(
  args: string[],
  options: { env?: Record<string, string | undefined> } = {},
): Promise<CliRun> {
  const env: Record<string, string | undefined> = { ...process.env, LANG: 'C', ...options.env }
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key]
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.once('close', (status) => {
      clearTimeout(timer)
      resolve({
        status,
        stdout,
        stderr,
        errorLines: stderr.split('\n').filter((line) => line.trim() !== '' && !helperNoise.test(line)),
      })
    })
  })
}
