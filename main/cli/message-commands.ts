import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename } from 'node:path'
import { SiegelpostError } from '../core/errors/index.ts'
import { limits } from '../core/limits.ts'
import { composeMessageStream, type ComposeInput, type ComposeSummary } from '../core/message/compose.ts'
import { openMessage, type OpenResult } from '../core/message/open.ts'
import { PolicyStore } from '../core/policy/policy-settings.ts'
import { fileSource } from '../core/mime/byte-source.ts'
import { networkPolicyFrom } from '../core/network-policy.ts'
import { httpRevocationFetchers } from '../core/smime/revocation-http.ts'
import { messageTechnologies } from '../core/message/technologies.ts'
import { isStreamedSize } from '../core/streaming/large-part.ts'
import { checkInputFile, readLimitedFile } from '../core/secret-file.ts'
import { writeFileAtomic } from '../core/store/atomic-file.ts'
import { mediaTypeOf } from '../core/mime/media-types.ts'
import { attachmentSaver } from './attachment-files.ts'
import { earlyWorker, largeEncryptedTechnology } from './early-worker.ts'
import { runPlannedCompose } from './compose-send.ts'
import {
  exitCodes,
  print,
  printJson,
  type CliIo,
  type Command,
  type CommandContext,
  type OptionValues,
} from './command.ts'

const encryptModes = ['auto', 'smime', 'openpgp', 'container', 'none'] as const

const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []

/**
 * Progress of a large message's encryption or decryption, in tenths, on stderr — only when stderr
 * is a terminal or --progress is given; stdout (the --json contract) never sees it.
 */
function progressPrinter(io: CliIo, values: OptionValues, verb: string) {
  const isShown = values.progress === true || io.isStderrTty === true
  let lastStep = -1
  return ({ done, total }: { done: number; total: number }) => {
    const step = Math.min(10, Math.floor((10 * done) / Math.max(total, 1)))
    if (!isShown || step === lastStep) return
    lastStep = step
    const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0)
    io.stderr(`siegelpost: ${verb} ${mib(done)} / ${mib(total)} MiB\n`)
  }
}

function printComposed(context: CommandContext, out: string, result: ComposeSummary): number {
  const summary = {
    out,
    messageId: result.messageId,
    technology: result.technology,
    encrypted: result.encrypted,
    signed: result.signed,
    encryptedTo: result.encryptedTo,
    signedBy: result.signedBy,
  }
  if (context.values.json) printJson(context.io, summary)
  else
    print(
      context.io,
      `${out}: ${result.encrypted ? 'encrypted' : 'not encrypted'}, ${result.signed ? 'signed' : 'not signed'}${result.technology ? ` (${result.technology})` : ''}`,
    )
  return exitCodes.ok
}

export const messageCommands: readonly Command[] = [
  {
    words: ['compose'],
    usage:
      'compose --from ADDR --to ADDR... [--cc ADDR]... [--bcc ADDR]... [--subject S] [--body-file F] [--attach F]... [--encrypt auto|smime|openpgp|container|none] [--sign|--no-sign] [--password-file F] (--out FILE.eml | --plan | --send --account NAME) [--json] [--progress]',
    summary: {
      de: 'Nachricht verschlüsselt und/oder signiert als .eml erstellen',
      en: 'write an encrypted and/or signed message as .eml',
    },
    options: {
      from: { type: 'string' },
      to: { type: 'string', multiple: true },
      cc: { type: 'string', multiple: true },
      bcc: { type: 'string', multiple: true },
      subject: { type: 'string' },
      'body-file': { type: 'string' },
      attach: { type: 'string', multiple: true },
      encrypt: { type: 'string' },
      sign: { type: 'boolean' },
      'no-sign': { type: 'boolean' },
      'password-file': { type: 'string' },
      out: { type: 'string' },
      plan: { type: 'boolean' },
      send: { type: 'boolean' },
      account: { type: 'string' },
      json: { type: 'boolean' },
      progress: { type: 'boolean' },
    },
    async run(context) {
      const { io, lang, values, vault } = context
      const command = 'compose'
      if (typeof values.from !== 'string')
        throw new SiegelpostError('USAGE_MISSING_OPTION', { command, option: '--from ADDR' })
      if (list(values.to).length === 0)
        throw new SiegelpostError('USAGE_MISSING_OPTION', { command, option: '--to ADDR' })
      const isPlanned = values.plan === true || values.send === true
      if (values.send && typeof values.out === 'string') {
        throw new SiegelpostError('USAGE_UNEXPECTED_ARGUMENT', { argument: '--out', command: 'compose --send' })
      }
      if (values.send && !values.plan && typeof values.account !== 'string') {
        throw new SiegelpostError('USAGE_MISSING_OPTION', { command: 'compose --send', option: '--account NAME' })
      }
      if (!isPlanned && typeof values.out !== 'string') {
        throw new SiegelpostError('USAGE_MISSING_OPTION', { command, option: '--out FILE.eml' })
      }
      const encrypt = (values.encrypt ?? 'auto') as ComposeInput['encrypt']
      if (!encryptModes.includes(encrypt))
        throw new SiegelpostError('USAGE_BAD_VALUE', {
          option: '--encrypt',
          value: String(values.encrypt),
          allowed: encryptModes.join(', '),
        })
      if (!isPlanned && encrypt !== 'auto' && list(values.bcc).length > 0) {
        throw new SiegelpostError('USAGE_UNEXPECTED_ARGUMENT', {
          argument: '--bcc',
          command: `compose --encrypt ${encrypt} --out`,
        })
      }
      if (values.sign && values['no-sign'])
        throw new SiegelpostError('USAGE_BAD_VALUE', {
          option: '--sign/--no-sign',
          value: 'both',
          allowed: '--sign, --no-sign',
        })
      // The container (pdf-lib) loads only when a message needs one.
      const containers = () => import('./container-commands.ts')
      if (encrypt === 'container' && !isPlanned) return (await containers()).composeContainerCommand(context)
      const body =
        typeof values['body-file'] === 'string'
          ? new TextDecoder().decode(await readLimitedFile(values['body-file'], limits.attachmentMaxBytes))
          : ''
      const attachments = []
      const sources: ReturnType<typeof fileSource>[] = []
      for (const path of list(values.attach)) {
        const fileName = basename(path)
        // Large files are read in chunks while the message is written (bounded memory).
        const size = await checkInputFile(path, limits.attachmentMaxBytes)
        const bytes = isStreamedSize(size) ? fileSource(path) : await readLimitedFile(path, limits.attachmentMaxBytes)
        if (!(bytes instanceof Uint8Array)) sources.push(bytes)
        attachments.push({ fileName, contentType: mediaTypeOf(fileName), bytes })
      }
      // A large attachment to encrypt with a named technology: its worker starts now and loads while the vault opens
      // with the keychain's key. Not beside a passphrase's scrypt (128 MiB): both at once raised the peak memory
      // of a 100 MiB compose from 205 to 221 MiB.
      const isLarge = attachments.some((a) => !(a.bytes instanceof Uint8Array))
      const isKeychainVault = typeof values['vault-passphrase-file'] !== 'string'
      const isEarly = !isPlanned && isLarge && isKeychainVault && (encrypt === 'smime' || encrypt === 'openpgp')
      const early = io.startWorker
        ? earlyWorker(io.startWorker, isEarly ? { name: encrypt, purpose: 'encrypt' } : null)
        : null
      let opened
      try {
        opened = await vault()
      } catch (error) {
        early?.dispose()
        sources.forEach((source) => source.close())
        throw error
      }
      const streaming = {
        tempDir: io.tempDir ?? tmpdir(),
        onProgress: progressPrinter(io, values, lang === 'de' ? 'verschlüsselt' : 'encrypted'),
        ...(early ? { startWorker: early.startWorker } : {}),
      }
      const input = {
        from: values.from.toLowerCase(),
        to: list(values.to).map((a) => a.toLowerCase()),
        cc: list(values.cc).map((a) => a.toLowerCase()),
        subject: typeof values.subject === 'string' ? values.subject : '',
        body,
        attachments,
        sign: values.sign ? true : values['no-sign'] ? false : undefined,
      }
      const composeContext = {
        keys: opened.contents.keys,
        now: io.now(),
        technologies: messageTechnologies,
        streaming,
        containerPassword: async (address: string) => (await containers()).passwordFor(context, address),
      }
      try {
        // The per-recipient decision: --plan, --send, and --encrypt auto (one .eml when the plan is one message).
        if (isPlanned || encrypt === 'auto') {
          const bcc = list(values.bcc).map((a) => a.toLowerCase())
          return await runPlannedCompose(context, { input: { ...input, bcc }, mode: encrypt, context: composeContext })
        }
        const result = await composeMessageStream({ ...input, encrypt }, composeContext)
        // The message's chunks are new buffers each (never changed after, referred to nowhere else): written while
        // the next is made, each freed once written.
        const written = { backup: false, mode: 0o600, writesAhead: 4, releasesWritten: true }
        await writeFileAtomic(values.out as string, result.chunks, {}, written)
        return printComposed(context, values.out as string, result)
      } finally {
        early?.dispose()
        sources.forEach((source) => source.close())
      }
    },
  },
  {
    words: ['open'],
    usage: 'open FILE.eml [--json] [--save-attachments DIR] [--progress]',
    summary: {
      de: 'Nachricht entschlüsseln, Signatur prüfen und anzeigen',
      en: 'decrypt a message, check its signature and show it',
    },
    options: { json: { type: 'boolean' }, 'save-attachments': { type: 'string' }, progress: { type: 'boolean' } },
    operands: [1, 1],
    async run({ io, lang, values, operands, vault, profileDir }) {
      const path = operands[0]!
      // Checked (exists, size limit) as before, then read from disk in chunks, never whole.
      await checkInputFile(path, limits.messageMaxBytes)
      // A large encrypted mail's worker boots while the vault opens: PGP/MIME always, S/MIME when the vault key comes
      // from the keychain (not beside a passphrase's scrypt of 128 MiB, as in compose).
      const technology = largeEncryptedTechnology(path)
      const isKeychainVault = typeof values['vault-passphrase-file'] !== 'string'
      const isEarly = technology === 'openpgp' || (technology === 'smime' && isKeychainVault)
      const workers = io.startWorker
        ? earlyWorker(io.startWorker, isEarly && technology ? { name: technology, purpose: 'decrypt' } : null)
        : null
      let opened, source
      try {
        opened = await vault()
        source = fileSource(path)
      } catch (error) {
        workers?.dispose()
        throw error
      }
      const streaming = {
        tempDir: io.tempDir ?? tmpdir(),
        onProgress: progressPrinter(io, values, lang === 'de' ? 'entschlüsselt' : 'decrypted'),
        ...(workers ? { startWorker: workers.startWorker } : {}),
      }
      // Attachments are written during the pass that computes their SHA-256 for the document (decoded once).
      const saveDir = typeof values['save-attachments'] === 'string' ? values['save-attachments'] : null
      const saver = saveDir === null ? null : attachmentSaver(saveDir)
      let result: OpenResult
      try {
        result = await openMessage(source, messageTechnologies, {
          // Each decoded chunk is the sink's own: freed once its own write is done (never while a write reads it).
          ...(saver ? { attachmentSink: (a, chunks) => saver.save(a.filename, a.index, chunks, true) } : {}),
          keys: opened.contents.keys,
          now: io.now(),
          streaming,
          revocation: httpRevocationFetchers({ policy: networkPolicyFrom(io.env) }),
          lang,
          policyRules: (await new PolicyStore(profileDir, opened).load()).rules,
        })
      } catch (error) {
        source.close()
        throw error
      } finally {
        workers?.dispose()
      }
      const { document } = result
      try {
        // The folder exists after a successful open even when there was nothing to save.
        if (saveDir !== null) await mkdir(saveDir, { recursive: true })
      } finally {
        result.dispose()
        source.close()
      }
      if (values.json) {
        printJson(io, document)
        return exitCodes.ok
      }
      const { encryption, signature } = document.security
      const de = lang === 'de'
      print(
        io,
        `${de ? 'Von' : 'From'}: ${document.headers.from}\n${de ? 'Betreff' : 'Subject'}: ${document.headers.subject}`,
      )
      print(
        io,
        `${de ? 'Verschlüsselung' : 'Encryption'}: ${encryption.state}${encryption.reason ? ` – ${encryption.reason}` : ''}`,
      )
      print(
        io,
        `${de ? 'Signatur' : 'Signature'}: ${signature.state}${signature.signer ? ` (${signature.signer}, ${signature.acceptance})` : ''}${signature.reason ? ` – ${signature.reason}` : ''}`,
      )
      for (const warning of document.security.warnings) print(io, `${de ? 'Warnung' : 'Warning'}: ${warning.text}`)
      print(io, `\n${document.text}`)
      for (const attachment of document.attachments)
        print(io, `[${attachment.filename}, ${attachment.contentType}, ${attachment.size} B]`)
      return exitCodes.ok
    },
  },
]
