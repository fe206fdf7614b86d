import { SiegelpostError } from '../core/errors/index.ts'
import { discoverKeys } from '../core/keys/key-discovery.ts'
import { findKey, generateKey } from '../core/keys/key-store.ts'
import { keyTechnologies } from '../core/keys/technologies.ts'
import { summarizeKey } from '../core/keys/stored-key.ts'
import { revokeOpenpgpKey, type KeyAlgorithm } from '../core/openpgp/generate.ts'
import { networkWkdFetcher } from '../core/openpgp/wkd.ts'
import { networkPolicyFrom } from '../core/network-policy.ts'
import { writeFileAtomic } from '../core/store/atomic-file.ts'
import { exitCodes, print, printJson, type Command } from './command.ts'

const algorithms: readonly KeyAlgorithm[] = ['curve25519', 'rsa4096']

export const openpgpCommands: readonly Command[] = [
  {
    words: ['keys', 'generate'],
    usage: 'keys generate --name NAME --email ADDR [--algo curve25519|rsa4096] [--json]',
    summary: {
      de: 'eigenen OpenPGP-Schlüssel erzeugen (im Tresor geschützt)',
      en: 'create an own OpenPGP key (protected by the vault)',
    },
    options: {
      name: { type: 'string' },
      email: { type: 'string' },
      algo: { type: 'string' },
      json: { type: 'boolean' },
    },
    async run({ io, lang, values, vault }) {
      const command = 'keys generate'
      if (typeof values.name !== 'string' || values.name.trim() === '')
        throw new SiegelpostError('USAGE_MISSING_OPTION', { command, option: '--name NAME' })
      if (typeof values.email !== 'string')
        throw new SiegelpostError('USAGE_MISSING_OPTION', { command, option: '--email ADDR' })
      if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(values.email))
        throw new SiegelpostError('MESSAGE_BAD_ADDRESS', { address: values.email })
      const algo = (values.algo ?? 'curve25519') as KeyAlgorithm
      if (!algorithms.includes(algo))
        throw new SiegelpostError('USAGE_BAD_VALUE', {
          option: '--algo',
          value: String(values.algo),
          allowed: algorithms.join(', '),
        })
      const now = io.now()
      const key = await generateKey(
        await vault(),
        keyTechnologies,
        'openpgp',
        { name: values.name.trim(), email: values.email, algo, expiresInYears: 0 },
        now,
      )
      const summary = summarizeKey(key, now)
      if (values.json) printJson(io, [summary])
      else
        print(
          io,
          lang === 'de'
            ? `Erzeugt: ${summary.fingerprint} ${summary.name} <${summary.emails.join(', ')}>`
            : `Created: ${summary.fingerprint} ${summary.name} <${summary.emails.join(', ')}>`,
        )
      return exitCodes.ok
    },
  },
  {
    words: ['keys', 'revoke'],
    usage: 'keys revoke ID --out FILE [--apply]',
    summary: {
      de: 'Widerrufszertifikat schreiben; mit --apply den Schlüssel auch widerrufen',
      en: 'write a revocation certificate; with --apply also revoke the key',
    },
    options: { out: { type: 'string' }, apply: { type: 'boolean' } },
    operands: [1, 1],
    async run({ io, lang, values, operands, vault }) {
      if (typeof values.out !== 'string')
        throw new SiegelpostError('USAGE_MISSING_OPTION', { command: 'keys revoke', option: '--out FILE' })
      const opened = await vault()
      const key = findKey(opened.contents, operands[0]!)
      if (key.technology !== 'openpgp')
        throw new SiegelpostError('OPENPGP_KEY_UNUSABLE', { id: key.id, reason: 'not an OpenPGP key' })
      if (!key.hasSecret) throw new SiegelpostError('KEY_NO_SECRET', { id: operands[0]! })
      const { certificate, revoked } = await revokeOpenpgpKey(key, io.now())
      await writeFileAtomic(values.out, certificate, {}, { backup: false, mode: 0o600 })
      if (values.apply) {
        await opened.update((draft) => {
          const index = draft.keys.findIndex((k) => k.technology === 'openpgp' && k.fingerprint === key.fingerprint)
          if (index >= 0) draft.keys[index] = revoked
        })
      }
      print(
        io,
        lang === 'de'
          ? `Widerrufszertifikat geschrieben: ${values.out}${values.apply ? ' (Schlüssel widerrufen)' : ''}`
          : `Revocation certificate written: ${values.out}${values.apply ? ' (key revoked)' : ''}`,
      )
      return exitCodes.ok
    },
  },
  {
    words: ['keys', 'lookup'],
    usage: 'keys lookup ADDR [--import] [--json]',
    summary: {
      de: 'OpenPGP-Schlüssel einer Adresse im Web Key Directory suchen; mit --import übernehmen',
      en: "look up an address's OpenPGP key in the Web Key Directory; take it over with --import",
    },
    options: { import: { type: 'boolean' }, json: { type: 'boolean' } },
    operands: [1, 1],
    async run({ io, lang, values, operands, vault }) {
      const address = operands[0]!.trim()
      const now = io.now()
      const fetcher = networkWkdFetcher({ dnsServer: io.env.SIEGELPOST_DNS, policy: networkPolicyFrom(io.env) })
      const found = await discoverKeys(address, fetcher, {
        now,
        take: values.import ? { vault: await vault(), technologies: keyTechnologies } : null,
      })
      const keys = found.keys.map((key) => summarizeKey(key, now))
      if (values.json) {
        printJson(io, { address, method: found.method, imported: Boolean(values.import), keys })
        return exitCodes.ok
      }
      const how = found.method === 'advanced' ? 'openpgpkey.' + address.split('@')[1] : address.split('@')[1]
      for (const key of keys) print(io, `${key.fingerprint}  ${key.name} <${key.emails.join(', ')}>  ${key.status}`)
      if (lang === 'de')
        print(
          io,
          values.import
            ? `Übernommen (nicht bestätigt) – aus dem Web Key Directory von ${how}. Gleichen Sie den Fingerabdruck auf einem zweiten Weg ab.`
            : `Gefunden im Web Key Directory von ${how}. Nicht übernommen – mit --import übernehmen, danach den Fingerabdruck auf einem zweiten Weg abgleichen.`,
        )
      else
        print(
          io,
          values.import
            ? `Imported (not verified) – from the Web Key Directory of ${how}. Compare the fingerprint on a second channel.`
            : `Found in the Web Key Directory of ${how}. Not imported – use --import, then compare the fingerprint on a second channel.`,
        )
      return exitCodes.ok
    },
  },
]
