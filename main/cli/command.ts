import type { ParseArgsOptionsConfig } from 'node:util'
import type { Lang } from '../core/errors/index.ts'
import type { SecretStore } from '../core/keys/secret-store.ts'
import type { Vault } from '../core/keys/vault.ts'
import type { WorkerLike, WorkerPurpose } from '../core/message/technology.ts'

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
  /** Progress lines go to stderr only when it is a terminal (or with --progress); stdout stays the contract. */
  isStderrTty?: boolean
  /**
   * Starts a worker thread: large OpenPGP or S/MIME messages (without it they run on a channel in this thread), or
   * a sync's writes into the message store ('mail-store'; without it they run in this thread).
   */
  startWorker?: (name: 'openpgp' | 'smime' | 'mail-store', purpose?: WorkerPurpose) => WorkerLike
  /** Where encrypted spools of large messages go (the OS temp folder when unset). */
  tempDir?: string
}

export const exitCodes = { ok: 0, failure: 1, usage: 2, held: 3 } as const

export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>

export interface CommandContext {
  io: CliIo
  lang: Lang
  values: OptionValues
  /** Positional arguments after the command words. */
  operands: string[]
  /** Absolute profile folder (--profile, SIEGELPOST_PROFILE or the app-data default). */
  profileDir: string
  /** Opens the profile's vault on first call (creating it on first use). */
  vault: () => Promise<Vault>
}

/**
 * One `siegelpost <group> <verb>` command. Domains keep their commands in main/cli/<domain>-commands.ts
 * and list the module once in main/cli/commands.ts; `node test/helpers/write-command-specs.ts` then
 * copies their words, usage, summary and options into main/cli/command-specs.json.
 */
export interface Command extends CommandSpec {
  run: (context: CommandContext) => Promise<number>
}

/** What the CLI knows of a command before loading it: enough for --help and for parsing its arguments. */
export interface CommandSpec {
  /** One word (`compose`, `open`) or two (`keys list`). */
  words: readonly [string] | readonly [string, string]
  usage: string
  summary: Record<Lang, string>
  options: ParseArgsOptionsConfig
  /** How many operands it takes (default 0): [min, max]. */
  operands?: readonly [number, number]
  /**
   * The command opens the vault anyway: with a passphrase it is opened before the command's module loads, so its
   * scrypt (128 MiB, freed after) meets a small process instead of one with the command's libraries loaded.
   */
  vaultFirst?: true
}

export function print(io: CliIo, text: string): void {
  io.stdout(text.endsWith('\n') ? text : `${text}\n`)
}

export function printJson(io: CliIo, value: unknown): void {
  print(io, JSON.stringify(value, null, 2))
}
