import { basename } from 'node:path'
import { SiegelpostError } from '../core/errors/index.ts'
import { listKeys } from '../core/keys/key-list.ts'
import { confirmFingerprint, deleteKey, exportKey, importKeyFile } from '../core/keys/key-store.ts'
import { summarizeKey, type StoredKey } from '../core/keys/stored-key.ts'
import { keyTechnologies } from '../core/keys/technologies.ts'
import { limits } from '../core/limits.ts'
import { readLimitedFile, readSecretFile } from '../core/secret-file.ts'
import { writeFileAtomic } from '../core/store/atomic-file.ts'
import type { KeySummary } from '../core/keys/key-summary.ts'
import { exitCodes, print, printJson, type CliIo, type Command } from './command.ts'

/** Text lines name why a key cannot be used (the JSON keeps the contract fields of CLI.md). */
function printKeys(io: CliIo, lang: 'de' | 'en', keys: KeySummary[], json: boolean, stored: readonly StoredKey[] = []) {
  if (json) return printJson(io, keys)
  if (keys.length === 0)
    return print(io, lang === 'de' ? 'Noch keine Schlüssel im Tresor.' : 'No keys in the vault yet.')
  for (const key of keys) {
    const reason = stored.find((candidate) => candidate.id === key.id)?.flags.unusableReason ?? null
    const why =
      key.status === 'unusable' && reason
        ? ` (${reason})`
        : key.status === 'expired' && key.expires
          ? ` (${lang === 'de' ? 'seit' : 'since'} ${key.expires})`
          : ''
    print(
      io,
      `${key.fingerprint}  ${key.technology}  ${key.status}${why}  ${key.acceptance}  ${key.name} <${key.emails.join(', ')}>`,
    )
  }
}

const optionalSecret = async (path: unknown) => (typeof path === 'string' ? readSecretFile(path) : null)

export const keysCommands: readonly Command[] = [
  {
    words: ['keys', 'list'],
    usage: 'keys list [--json]',
    summary: { de: 'Schlüssel und Zertifikate im Tresor auflisten', en: 'list the keys and certificates in the vault' },
    options: { json: { type: 'boolean' } },
    async run({ io, lang, values, vault }) {
      const opened = await vault()
      printKeys(io, lang, listKeys(opened, io.now()), Boolean(values.json), opened.contents.keys)
      return exitCodes.ok
    },
  },
  {
    words: ['keys', 'import'],
    usage: 'keys import FILE [--passphrase-file F] [--json]',
    summary: {
      de: 'Schlüssel oder Zertifikate aus einer Datei in den Tresor übernehmen',
      en: 'import keys or certificates from a file into the vault',
    },
    options: { json: { type: 'boolean' }, 'passphrase-file': { type: 'string' } },
    operands: [1, 1],
    async run({ io, lang, values, operands, vault }) {
      const path = operands[0]!
      const bytes = await readLimitedFile(path, limits.keyFileMaxBytes)
      const passphrase = await optionalSecret(values['passphrase-file'])
      const now = io.now()
      const imported = await importKeyFile(
        await vault(),
        keyTechnologies,
        { bytes, fileName: basename(path), path },
        { passphrase, now },
      )
      printKeys(
        io,
        lang,
        imported.map((key) => summarizeKey(key, now)),
        Boolean(values.json),
        imported,
      )
      return exitCodes.ok
    },
  },
  {
    words: ['keys', 'export'],
    usage:
      'keys export ID (--public|--secret) [--format asc|p12|pem|der] [--p12-compat] [--passphrase-file F] --out FILE',
    summary: {
      de: 'öffentlichen Schlüssel oder passwortgeschützte Sicherung schreiben',
      en: 'write a public key or a passphrase-protected backup',
    },
    options: {
      public: { type: 'boolean' },
      secret: { type: 'boolean' },
      format: { type: 'string' },
      'p12-compat': { type: 'boolean' },
      'passphrase-file': { type: 'string' },
      out: { type: 'string' },
    },
    operands: [1, 1],
    async run({ values, operands, vault }) {
      const command = 'keys export'
      if (Boolean(values.public) === Boolean(values.secret))
        throw new SiegelpostError('USAGE_MISSING_OPTION', { command, option: '--public oder/or --secret' })
      if (typeof values.out !== 'string')
        throw new SiegelpostError('USAGE_MISSING_OPTION', { command, option: '--out FILE' })
      const part = values.secret ? 'secret' : 'public'
      const bytes = await exportKey(await vault(), keyTechnologies, operands[0]!, {
        part,
        format: typeof values.format === 'string' ? values.format : undefined,
        passphrase: await optionalSecret(values['passphrase-file']),
        compat: Boolean(values['p12-compat']),
      })
      await writeFileAtomic(values.out, bytes, {}, { backup: false, mode: part === 'secret' ? 0o600 : 0o644 })
      return exitCodes.ok
    },
  },
  {
    words: ['keys', 'verify'],
    usage: 'keys verify ID --fingerprint HEX',
    summary: {
      de: 'Fingerabdruck bestätigen (über einen anderen Weg abgeglichen)',
      en: 'confirm a fingerprint (compared over another channel)',
    },
    options: { fingerprint: { type: 'string' }, json: { type: 'boolean' } },
    operands: [1, 1],
    async run({ io, lang, values, operands, vault }) {
      if (typeof values.fingerprint !== 'string')
        throw new SiegelpostError('USAGE_MISSING_OPTION', { command: 'keys verify', option: '--fingerprint HEX' })
      const key = await confirmFingerprint(await vault(), operands[0]!, values.fingerprint)
      printKeys(io, lang, [summarizeKey(key, io.now())], Boolean(values.json))
      return exitCodes.ok
    },
  },
  {
    words: ['keys', 'delete'],
    usage: 'keys delete ID --yes',
    summary: { de: 'Schlüssel endgültig aus dem Tresor löschen', en: 'delete a key from the vault for good' },
    options: { yes: { type: 'boolean' } },
    operands: [1, 1],
    async run({ io, lang, values, operands, vault }) {
      if (!values.yes) throw new SiegelpostError('KEY_DELETE_NEEDS_CONFIRMATION', { id: operands[0]! })
      const key = await deleteKey(await vault(), operands[0]!)
      print(io, lang === 'de' ? `Gelöscht: ${key.fingerprint} ${key.name}` : `Deleted: ${key.fingerprint} ${key.name}`)
      return exitCodes.ok
    },
  },
]
