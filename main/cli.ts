import { homedir } from 'node:os'
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util'
import { SiegelpostError, toSiegelpostError, type Lang } from './core/errors/index.ts'
import { listKeys } from './core/keys/key-list.ts'
import type { SecretStore } from './core/keys/secret-store.ts'
import { openVault, type Vault } from './core/keys/vault.ts'
import { resolveProfileDir } from './core/profile.ts'
import { readSecretFile } from './core/secret-file.ts'

declare const __SIEGELPOST_VERSION__: string

/** Everything the CLI touches outside itself, so tests can run it in-process too. */
export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  env: Readonly<Record<string, string | undefined>>
  cwd: string
  home: string
  platform: NodeJS.Platform
  /** Created only when a command needs the vault: --help and --version never touch the keychain. */
  keychain: () => Promise<SecretStore>
  now: () => Date
}

export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const

const globalOptions = {
  profile: { type: 'string' },
  'vault-passphrase-file': { type: 'string' },
  lang: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const satisfies ParseArgsOptionsConfig

type Values = Record<string, string | boolean | undefined>

interface Context {
  io: CliIo
  lang: Lang
  values: Values
  operands: string[]
  vault: () => Promise<Vault>
}

interface Command {
  words: readonly [string, string]
  usage: string
  summary: Record<Lang, string>
  options: ParseArgsOptionsConfig
  run: (context: Context) => Promise<number>
}

const print = (io: CliIo, text: string) => io.stdout(text.endsWith('\n') ? text : `${text}\n`)

const commands: readonly Command[] = [
  {
    words: ['keys', 'list'],
    usage: 'keys list [--json]',
    summary: { de: 'Schlüssel und Zertifikate im Tresor auflisten', en: 'list the keys and certificates in the vault' },
    options: { json: { type: 'boolean' } },
    async run({ io, lang, values, vault }) {
      const keys = listKeys(await vault(), io.now())
      if (values.json) {
        print(io, JSON.stringify(keys, null, 2))
      } else if (keys.length === 0) {
        print(io, lang === 'de' ? 'Noch keine Schlüssel im Tresor.' : 'No keys in the vault yet.')
      } else {
        for (const key of keys) {
          print(io, `${key.fingerprint}  ${key.technology}  ${key.status}  ${key.name} <${key.emails.join(', ')}>`)
        }
      }
      return exitCodes.ok
    },
  },
  {
    words: ['vault', 'status'],
    usage: 'vault status [--json]',
    summary: { de: 'Zustand des Tresors zeigen (Schutzart, Fassung, Anzahl Schlüssel)', en: 'show the vault state (protection, generation, key count)' },
    options: { json: { type: 'boolean' } },
    async run({ io, lang, values, vault }) {
      const info = (await vault()).info()
      if (values.json) print(io, JSON.stringify(info, null, 2))
      else {
        const protection =
          info.mode === 'keychain'
            ? lang === 'de' ? 'Schlüsselbund des Systems' : 'system keychain'
            : lang === 'de' ? 'Passwort' : 'passphrase'
        print(io, `${info.path}\n${lang === 'de' ? 'Schutz' : 'Protection'}: ${protection}\n${lang === 'de' ? 'Fassung' : 'Generation'}: ${info.generation}\n${lang === 'de' ? 'Schlüssel' : 'Keys'}: ${info.keyCount}`)
      }
      return exitCodes.ok
    },
  },
]

function helpText(lang: Lang): string {
  const de = lang === 'de'
  const lines = [
    de ? 'Siegelpost – verschlüsselte E-Mail für Kanzleien und Mandanten' : 'Siegelpost – encrypted e-mail for tax advisors and their clients',
    '',
    de ? 'Aufruf: siegelpost [Optionen] BEFEHL …' : 'Usage: siegelpost [options] COMMAND …',
    '',
    de ? 'Befehle:' : 'Commands:',
    ...commands.map((command) => `  ${command.usage.padEnd(28)} ${command.summary[lang]}`),
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

const valueOptions = new Set(Object.entries(globalOptions).filter(([, o]) => o.type === 'string').map(([name]) => `--${name}`))

/** The non-option words, skipping the values of global options: the command is the first two. */
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
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new SiegelpostError('USAGE_UNKNOWN_OPTION', { option: quoted, command })
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return new SiegelpostError('USAGE_MISSING_VALUE', { option: quoted.split(' ')[0] ?? quoted })
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new SiegelpostError('USAGE_UNEXPECTED_ARGUMENT', { argument: quoted, command })
  return toSiegelpostError(error)
}

const usageCodes = new Set(['USAGE_UNKNOWN_COMMAND', 'USAGE_UNKNOWN_OPTION', 'USAGE_MISSING_VALUE', 'USAGE_UNEXPECTED_ARGUMENT', 'USAGE_MISSING_COMMAND', 'USAGE_BAD_VALUE'])

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const lang = languageFrom(argv, io.env)
  try {
    const words = commandWords(argv)
    const command = commands.find((c) => c.words[0] === words[0] && c.words[1] === words[1])
    const parsed = (() => {
      try {
        return parseArgs({ args: [...argv], options: { ...globalOptions, ...command?.options }, allowPositionals: true, strict: true })
      } catch (error) {
        throw usageError(error, command?.words.join(' ') ?? 'siegelpost')
      }
    })()
    const values = parsed.values as Values
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
    const operands = parsed.positionals.slice(2)
    if (operands.length > 0) throw new SiegelpostError('USAGE_UNEXPECTED_ARGUMENT', { argument: operands[0]!, command: command.words.join(' ') })

    const profileDir = resolveProfileDir(values.profile as string | undefined, io)
    const passphraseFile = values['vault-passphrase-file'] as string | undefined
    let opened: Promise<Vault> | null = null
    const vault = () =>
      (opened ??= (async () =>
        openVault({
          profileDir,
          now: io.now,
          keySource: passphraseFile
            ? { mode: 'passphrase', passphrase: await readSecretFile(passphraseFile) }
            : { mode: 'keychain', store: await io.keychain() },
        }))())
    return await command.run({ io, lang, values, operands, vault })
  } catch (thrown) {
    const error = toSiegelpostError(thrown)
    io.stderr(`siegelpost: ${error.localized(lang)}\n`)
    if (error.kind === 'bug' && io.env.SIEGELPOST_DEBUG) io.stderr(`${String((error.cause as Error | undefined)?.stack ?? error.stack)}\n`)
    return usageCodes.has(error.code) ? exitCodes.usage : exitCodes.failure
  }
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
  })
}
