import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { Worker } from 'node:worker_threads'
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util'
import { commands } from './cli/commands.ts'
import { exitCodes, print, type CliIo, type OptionValues } from './cli/command.ts'
import { SiegelpostError, toSiegelpostError, type Lang } from './core/errors/index.ts'
import type { Vault } from './core/keys/vault.ts'
import { raiseSizeLimits, raisedSizeLimits, readSizeLimitsFile } from './core/limits-override.ts'
import { cliWorkerV8Flags, streamWorkerLimits } from './workers/worker-limits.ts'
import { resolveProfileDir } from './core/profile.ts'

declare const __SIEGELPOST_VERSION__: string

export { exitCodes, type CliIo }

const globalOptions = {
  profile: { type: 'string' },
  'vault-passphrase-file': { type: 'string' },
  lang: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const satisfies ParseArgsOptionsConfig

function helpText(lang: Lang): string {
  const de = lang === 'de'
  const lines = [
    de
      ? 'Siegelpost – verschlüsselte E-Mail für Kanzleien und Mandanten'
      : 'Siegelpost – encrypted e-mail for tax advisors and their clients',
    '',
    de ? 'Aufruf: siegelpost [Optionen] BEFEHL …' : 'Usage: siegelpost [options] COMMAND …',
    '',
    de ? 'Befehle:' : 'Commands:',
    ...commands.flatMap((command) => [`  ${command.usage}`, `      ${command.summary[lang]}`]),
    '',
    de ? 'Optionen (vor oder nach dem Befehl):' : 'Options (before or after the command):',
    `  --profile DIR                ${de ? 'Profilordner (auch SIEGELPOST_PROFILE)' : 'profile folder (also SIEGELPOST_PROFILE)'}`,
    `  --vault-passphrase-file F    ${de ? 'Tresor mit Passwort statt Schlüsselbund schützen' : 'protect the vault with a passphrase instead of the keychain'}`,
    `  --lang de|en                 ${de ? 'Sprache der Meldungen' : 'language of messages'}`,
    `  --json                       ${de ? 'Ausgabe als JSON' : 'output as JSON'}`,
    `  -h, --help                   ${de ? 'diese Hilfe' : 'this help'}`,
    `  -V, --version                ${de ? 'Version' : 'version'}`,
  ]
  return lines.join('\n')
}

/** Options that take a value, in any command: their values are not command words. */
const valueOptions = new Set(
  [globalOptions, ...commands.map((command) => command.options)].flatMap((options) =>
    Object.entries(options)
      .filter(([, option]) => option.type === 'string')
      .map(([name]) => `--${name}`),
  ),
)

/** The non-option words, skipping option values: the command is the first two. */
function commandWords(argv: readonly string[]): string[] {
  const words: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!
    if (token === '--') break
    if (valueOptions.has(token)) i++
    else if (!token.startsWith('-')) words.push(token)
  }
  return words
}

function languageFrom(argv: readonly string[], env: CliIo['env']): Lang {
  const index = argv.findIndex((token) => token === '--lang' || token.startsWith('--lang='))
  const flag = index < 0 ? undefined : argv[index]!.includes('=') ? argv[index]!.split('=')[1] : argv[index + 1]
  if (flag === 'en' || flag === 'de') return flag
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || ''
  return locale.startsWith('en') ? 'en' : 'de'
}

function usageError(error: unknown, command: string): SiegelpostError {
  const code = (error as { code?: string }).code
  const message = error instanceof Error ? error.message : ''
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? ''
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return new SiegelpostError('USAGE_UNKNOWN_OPTION', { option: quoted, command })
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE')
    return new SiegelpostError('USAGE_MISSING_VALUE', { option: quoted.split(' ')[0] ?? quoted })
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
    return new SiegelpostError('USAGE_UNEXPECTED_ARGUMENT', { argument: quoted, command })
  return toSiegelpostError(error)
}

/** SIEGELPOST_LIMITS_FILE: raises size limits for a measurement, and says so on stderr on every run. */
function raiseLimitsFromEnv(io: CliIo, lang: Lang): void {
  const file = io.env.SIEGELPOST_LIMITS_FILE
  if (!file) return
  const path = isAbsolute(file) ? file : join(io.cwd, file)
  const raised = readSizeLimitsFile(path)
  raiseSizeLimits(raised, path)
  const values = Object.entries(raised)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ')
  io.stderr(
    lang === 'de'
      ? `siegelpost: Warnung: SIEGELPOST_LIMITS_FILE hebt Größen-Grenzwerte an, nur für Messungen (${values || 'keine'})\n`
      : `siegelpost: warning: SIEGELPOST_LIMITS_FILE raises size limits, for measurements only (${values || 'none'})\n`,
  )
}

const isUsageError = (error: SiegelpostError) =>
  error.code.startsWith('USAGE_') || error.code === 'KEY_DELETE_NEEDS_CONFIRMATION'

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const lang = languageFrom(argv, io.env)
  try {
    const words = commandWords(argv)
    const command =
      commands.find((c) => c.words.length === 2 && c.words[0] === words[0] && c.words[1] === words[1]) ??
      commands.find((c) => c.words.length === 1 && c.words[0] === words[0])
    const parsed = (() => {
      try {
        return parseArgs({
          args: [...argv],
          options: { ...globalOptions, ...command?.options },
          allowPositionals: true,
          strict: true,
        })
      } catch (error) {
        throw usageError(error, command?.words.join(' ') ?? 'siegelpost')
      }
    })()
    const values = parsed.values as OptionValues
    if (values.lang !== undefined && values.lang !== 'de' && values.lang !== 'en') {
      throw new SiegelpostError('USAGE_BAD_VALUE', { option: '--lang', value: String(values.lang), allowed: 'de, en' })
    }
    if (values.version) {
      print(io, `siegelpost ${__SIEGELPOST_VERSION__}`)
      return exitCodes.ok
    }
    if (values.help || words.length === 0) {
      if (!values.help && words.length === 0) throw new SiegelpostError('USAGE_MISSING_COMMAND')
      print(io, helpText(lang))
      return exitCodes.ok
    }
    if (!command) throw new SiegelpostError('USAGE_UNKNOWN_COMMAND', { command: words.slice(0, 2).join(' ') })
    const operands = parsed.positionals.slice(command.words.length)
    const [minOperands, maxOperands] = command.operands ?? [0, 0]
    if (operands.length > maxOperands)
      throw new SiegelpostError('USAGE_UNEXPECTED_ARGUMENT', {
        argument: operands[maxOperands]!,
        command: command.words.join(' '),
      })
    if (operands.length < minOperands)
      throw new SiegelpostError('USAGE_MISSING_OPTION', {
        command: command.words.join(' '),
        option: command.usage.split(' ')[command.words.length] ?? 'ARG',
      })

    raiseLimitsFromEnv(io, lang)
    const profileDir = resolveProfileDir(values.profile as string | undefined, io)
    const passphraseFile = values['vault-passphrase-file'] as string | undefined
    let opened: Promise<Vault> | null = null
    // Loaded here, not at the top: --help, --version and usage errors need neither (nor zod behind them).
    const vault = () =>
      (opened ??= (async () => {
        const [{ openVault }, { readSecretFile }] = await Promise.all([
          import('./core/keys/vault.ts'),
          import('./core/secret-file.ts'),
        ])
        return openVault({
          profileDir,
          now: io.now,
          keySource: passphraseFile
            ? { mode: 'passphrase', passphrase: await readSecretFile(passphraseFile) }
            : { mode: 'keychain', store: await io.keychain() },
        })
      })())
    return await command.run({ io, lang, values, operands, profileDir, vault })
  } catch (thrown) {
    const error = toSiegelpostError(thrown)
    io.stderr(`siegelpost: ${error.localized(lang)}\n`)
    // Details for support (library messages, parameters) stay out of the user's line; SIEGELPOST_DEBUG=1 shows them.
    if (io.env.SIEGELPOST_DEBUG)
      io.stderr(
        `${JSON.stringify(error.params)}\n${String((error.cause as Error | undefined)?.stack ?? error.stack)}\n`,
      )
    return isUsageError(error) ? exitCodes.usage : exitCodes.failure
  }
}

/**
 * This process's peak RSS. Linux: VmHWM of /proc/self/status. Not resourceUsage().maxRSS: that
 * one carries over the parent's RSS from fork() across exec (a test runner's 500 MB, say).
 */
function peakRssKib(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))
    if (hwm) return Number(hwm[1])
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS
}

/** Entry for bin/siegelpost.js: the real process, the real keychain. */
export async function main(argv: readonly string[]): Promise<number> {
  return runCli(argv, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    home: homedir(),
    platform: process.platform,
    keychain: async () => (await import('./platform/os-keychain.ts')).createOsKeychain(),
    now: () => new Date(),
    isStderrTty: process.stderr.isTTY === true,
    // Built next to this file (electron.vite.config.ts); the .ts entry when run from source.
    startWorker: (name, purpose) => {
      const isSource = import.meta.url.endsWith('.ts')
      // Size limits raised by SIEGELPOST_LIMITS_FILE hold in the worker too (it checks them again).
      const workerData = { raisedSizeLimits: raisedSizeLimits() }
      if (name === 'mail-store')
        return new Worker(
          new URL(isSource ? './workers/mail-store.worker.ts' : './mail-store-worker.js', import.meta.url),
        )
      // V8 flags hold for the whole process: set before the worker's isolate starts (worker-limits.ts).
      for (const flag of cliWorkerV8Flags(name, purpose)) setFlagsFromString(flag)
      if (name === 'smime') {
        const entry = new URL(
          isSource ? './workers/smime-stream.worker.ts' : './smime-stream-worker.js',
          import.meta.url,
        )
        return new Worker(entry, { workerData, resourceLimits: streamWorkerLimits(name, purpose) })
      }
      return new Worker(new URL(isSource ? './workers/openpgp-worker.ts' : './openpgp-worker.js', import.meta.url), {
        workerData,
        resourceLimits: streamWorkerLimits(name, purpose),
      })
    },
  }).finally(() => {
    // Tests and benchmarks read the process's peak memory here (never on by default).
    if (process.env.SIEGELPOST_DEBUG_MAXRSS) process.stderr.write(`siegelpost-debug: maxrss-kib=${peakRssKib()}\n`)
  })
}
