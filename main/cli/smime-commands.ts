import { SiegelpostError } from '../core/errors/index.ts'
import { summarizeKey } from '../core/keys/stored-key.ts'
import { limits } from '../core/limits.ts'
import { readLimitedFile } from '../core/secret-file.ts'
import { certificatesFromFile } from '../core/smime/certificate.ts'
import { createCertificateRequest, crlsFromFile, trustCertificates } from '../core/smime/certificate-store.ts'
import { validatePath } from '../core/smime/path-validation/index.ts'
import { trustAnchorsOf } from '../core/smime/smime-keys.ts'
import { smimePurposeProblem } from '../core/smime/smime-purpose.ts'
import { writeFileAtomic } from '../core/store/atomic-file.ts'
import { exitCodes, print, printJson, type Command } from './command.ts'

const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []

async function certificatesIn(paths: string[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for (const path of paths) {
    const found = certificatesFromFile(await readLimitedFile(path, limits.keyFileMaxBytes))
    if (found.length === 0) throw new SiegelpostError('SMIME_NO_CERTIFICATE', { path })
    out.push(...found)
  }
  return out
}

export const smimeCommands: readonly Command[] = [
  {
    words: ['keys', 'csr'],
    usage: 'keys csr (ID | --new --name NAME --email ADDR) --out FILE',
    summary: {
      de: 'Zertifikatsantrag (CSR) für eine Zertifizierungsstelle erzeugen',
      en: 'create a certificate request (CSR) for a CA',
    },
    options: {
      new: { type: 'boolean' },
      name: { type: 'string' },
      email: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    },
    operands: [0, 1],
    async run({ io, lang, values, operands, vault }) {
      if (typeof values.out !== 'string')
        throw new SiegelpostError('USAGE_MISSING_OPTION', { command: 'keys csr', option: '--out FILE' })
      const isNew = Boolean(values.new)
      if (isNew === (operands.length === 1))
        throw new SiegelpostError('USAGE_MISSING_OPTION', {
          command: 'keys csr',
          option: 'ID oder/or --new --name NAME --email ADDR',
        })
      if (isNew && (typeof values.name !== 'string' || typeof values.email !== 'string')) {
        throw new SiegelpostError('USAGE_MISSING_OPTION', { command: 'keys csr', option: '--name NAME --email ADDR' })
      }
      if (isNew && !/^[^@\s]+@[^@\s]+$/.test(values.email as string))
        throw new SiegelpostError('SMIME_CSR_NEEDS_IDENTITY')
      const request = isNew ? { name: values.name as string, email: values.email as string } : { id: operands[0]! }
      const { pem, key } = await createCertificateRequest(await vault(), request, io.now())
      await writeFileAtomic(values.out, new TextEncoder().encode(pem), {}, { backup: false, mode: 0o644 })
      if (values.json) printJson(io, [summarizeKey(key, io.now())])
      else
        print(
          io,
          lang === 'de'
            ? `Antrag geschrieben: ${values.out} (Schlüssel ${key.id})`
            : `Request written: ${values.out} (key ${key.id})`,
        )
      return exitCodes.ok
    },
  },
  {
    words: ['certs', 'trust'],
    usage: 'certs trust FILE',
    summary: {
      de: 'CA-Zertifikat als S/MIME-Vertrauensanker hinzufügen',
      en: 'add a CA certificate as an S/MIME trust anchor',
    },
    options: { json: { type: 'boolean' } },
    operands: [1, 1],
    async run({ io, lang, values, operands, vault }) {
      const path = operands[0]!
      const anchors = await trustCertificates(await vault(), await readLimitedFile(path, limits.keyFileMaxBytes), path)
      if (values.json)
        printJson(
          io,
          anchors.map((key) => summarizeKey(key, io.now())),
        )
      else
        for (const key of anchors)
          print(io, `${lang === 'de' ? 'Vertrauensanker' : 'Trust anchor'}: ${key.fingerprint}  ${key.name}`)
      return exitCodes.ok
    },
  },
  {
    words: ['certs', 'validate'],
    usage:
      'certs validate FILE [--anchor F]... [--untrusted F]... [--crl F]... [--at ISO-DATE] [--initial-policy OID]... [--explicit-policy] [--inhibit-policy-mapping] [--inhibit-any-policy] [--purpose smime] [--json]',
    summary: { de: 'Zertifikatspfad nach RFC 5280 prüfen', en: 'validate a certificate path per RFC 5280' },
    options: {
      anchor: { type: 'string', multiple: true },
      untrusted: { type: 'string', multiple: true },
      crl: { type: 'string', multiple: true },
      at: { type: 'string' },
      'initial-policy': { type: 'string', multiple: true },
      'explicit-policy': { type: 'boolean' },
      'inhibit-policy-mapping': { type: 'boolean' },
      'inhibit-any-policy': { type: 'boolean' },
      purpose: { type: 'string' },
      json: { type: 'boolean' },
    },
    operands: [1, 1],
    async run({ io, lang, values, operands, vault }) {
      if (values.purpose !== undefined && values.purpose !== 'smime') {
        throw new SiegelpostError('USAGE_BAD_VALUE', {
          option: '--purpose',
          value: String(values.purpose),
          allowed: 'smime',
        })
      }
      let at = io.now()
      if (typeof values.at === 'string') {
        at = new Date(values.at)
        if (Number.isNaN(at.getTime())) throw new SiegelpostError('SMIME_BAD_DATE', { value: values.at })
      }
      const [target, ...rest] = await certificatesIn([operands[0]!])
      const untrusted = [...rest, ...(await certificatesIn(list(values.untrusted)))]
      // Explicit anchors make a self-contained check (conformance); without them, the vault's anchors.
      const anchorFiles = list(values.anchor)
      const anchors =
        anchorFiles.length > 0 ? await certificatesIn(anchorFiles) : trustAnchorsOf((await vault()).contents)
      const crlFiles = list(values.crl)
      const crls: Uint8Array[] = []
      for (const path of crlFiles) crls.push(...crlsFromFile(await readLimitedFile(path, limits.keyFileMaxBytes)))
      const result = validatePath({
        target: target!,
        untrusted,
        anchors,
        crls: crlFiles.length > 0 ? crls : null,
        at,
        initialPolicySet: list(values['initial-policy']),
        initialExplicitPolicy: Boolean(values['explicit-policy']),
        initialPolicyMappingInhibit: Boolean(values['inhibit-policy-mapping']),
        initialAnyPolicyInhibit: Boolean(values['inhibit-any-policy']),
      })
      let { valid, reason } = result
      if (valid && values.purpose === 'smime') {
        const problem = smimePurposeProblem(target!, untrusted, 'any')
        if (problem) {
          valid = false
          reason = problem
        }
      }
      if (values.json) printJson(io, { valid, reason, path: result.path })
      else
        print(
          io,
          `${valid ? (lang === 'de' ? 'gültig' : 'valid') : lang === 'de' ? 'ungültig' : 'invalid'}: ${reason}\n  ${result.path.join('\n  ')}`,
        )
      return exitCodes.ok
    },
  },
]
