import { exitCodes, print, printJson, type Command } from './command.ts'

export const vaultCommands: readonly Command[] = [
  {
    words: ['vault', 'status'],
    usage: 'vault status [--json]',
    summary: {
      de: 'Zustand des Tresors zeigen (Schutzart, Fassung, Anzahl Schlüssel)',
      en: 'show the vault state (protection, generation, key count)',
    },
    options: { json: { type: 'boolean' } },
    async run({ io, lang, values, vault }) {
      const info = (await vault()).info()
      if (values.json) return (printJson(io, info), exitCodes.ok)
      const de = lang === 'de'
      const protection =
        info.mode === 'keychain'
          ? de
            ? 'Schlüsselbund des Systems'
            : 'system keychain'
          : de
            ? 'Passwort'
            : 'passphrase'
      print(
        io,
        `${info.path}\n${de ? 'Schutz' : 'Protection'}: ${protection}\n${de ? 'Fassung' : 'Generation'}: ${info.generation}\n${de ? 'Schlüssel' : 'Keys'}: ${info.keyCount}`,
      )
      return exitCodes.ok
    },
  },
]
