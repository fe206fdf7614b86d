import { basename } from 'node:path'
import { composeCarrierMail } from '../core/container/carrier.ts'
import { checkContainerSize, type ContainerFile } from '../core/container/build.ts'
import { checkStandingPassword, generateContainerPassword } from '../core/container/password.ts'
import { openContainer } from '../core/container/read.ts'
import { ClientPasswordStore } from '../core/policy/client-passwords.ts'
import { SiegelpostError } from '../core/errors/index.ts'
import { limits } from '../core/limits.ts'
import { checkInputFile, readLimitedFile, readSecretFile } from '../core/secret-file.ts'
import { writeFileAtomic } from '../core/store/atomic-file.ts'
import { exitCodes, print, printJson, type Command, type CommandContext } from './command.ts'
import { mediaTypeOf } from '../core/mime/media-types.ts'
import { saveAttachments } from './attachment-files.ts'

const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []

/** --password-file, else the standing password agreed with this recipient (or its domain), else a new one. */
export async function passwordFor(
  context: CommandContext,
  recipient: string,
): Promise<{ password: string; generated: boolean }> {
  const { values } = context
  if (typeof values['password-file'] === 'string') {
    const password = new TextDecoder().decode(await readSecretFile(values['password-file']))
    const weakness = checkStandingPassword(password)
    if (weakness !== null) throw new SiegelpostError('PASSWORD_TOO_WEAK', { why: weakness })
    return { password, generated: false }
  }
  const standing = await new ClientPasswordStore(context.profileDir, await context.vault()).get(recipient)
  return standing !== null
    ? { password: standing, generated: false }
    : { password: generateContainerPassword(), generated: true }
}

/**
 * `compose --encrypt container`: the text and the attachments in one AES-256 PDF, carried by a mail that says
 * only how to open it. One recipient per container (each gets a password of its own); several recipients are
 * split by `compose --send`.
 */
export async function composeContainerCommand(context: CommandContext): Promise<number> {
  const { io, values } = context
  const command = 'compose --encrypt container'
  const to = list(values.to).map((a) => a.toLowerCase())
  const cc = list(values.cc).map((a) => a.toLowerCase())
  if (to.length + cc.length !== 1) {
    throw new SiegelpostError('USAGE_BAD_VALUE', {
      option: '--to/--cc',
      value: String(to.length + cc.length),
      allowed: '1 (each container recipient gets a container and password of its own)',
    })
  }
  if (values.sign === true)
    throw new SiegelpostError('USAGE_BAD_VALUE', { option: '--sign', value: 'container', allowed: '--no-sign' })
  const paths = list(values.attach)
  const sizes = await Promise.all(paths.map((path) => checkInputFile(path, limits.attachmentMaxBytes)))
  checkContainerSize(paths.map((path, i) => ({ fileName: basename(path), size: sizes[i]! })))
  const files: ContainerFile[] = []
  for (const path of paths) {
    const fileName = basename(path)
    files.push({
      fileName,
      contentType: mediaTypeOf(fileName),
      bytes: await readLimitedFile(path, limits.containerMaxAttachmentBytes),
    })
  }
  const body =
    typeof values['body-file'] === 'string'
      ? new TextDecoder().decode(await readLimitedFile(values['body-file'], limits.attachmentMaxBytes))
      : ''
  const { password, generated } = await passwordFor(context, [...to, ...cc][0]!)
  const mail = await composeCarrierMail(
    {
      from: String(values.from).toLowerCase(),
      to,
      cc,
      subject: typeof values.subject === 'string' ? values.subject : '',
      body,
      files,
      now: io.now(),
    },
    password,
  )
  await writeFileAtomic(String(values.out), [mail.bytes], {}, { backup: false, mode: 0o600 })
  const summary = {
    out: values.out,
    messageId: mail.messageId,
    technology: 'container',
    encrypted: true,
    signed: false,
    encryptedTo: [],
    signedBy: null,
    ...(generated ? { containerPassword: password } : {}),
  }
  if (values.json) printJson(io, summary)
  else print(io, `${String(values.out)}: ${command}${generated ? `, password: ${password}` : ''}`)
  return exitCodes.ok
}

export const containerCommands: readonly Command[] = [
  {
    words: ['container', 'open'],
    usage: 'container open FILE.pdf --password-file F [--save-attachments DIR] [--json]',
    summary: {
      de: 'Passwort-PDF öffnen, Text anzeigen und Anhänge prüfen',
      en: 'open a password PDF, show its text and check its attachments',
    },
    options: { 'password-file': { type: 'string' }, 'save-attachments': { type: 'string' }, json: { type: 'boolean' } },
    operands: [1, 1],
    async run({ io, lang, values, operands }) {
      if (typeof values['password-file'] !== 'string') {
        throw new SiegelpostError('USAGE_MISSING_OPTION', { command: 'container open', option: '--password-file F' })
      }
      const password = new TextDecoder().decode(await readSecretFile(values['password-file']))
      const path = operands[0]!
      const bytes = await readLimitedFile(path, limits.containerMaxFileBytes)
      const opened = await openContainer(bytes, password)
      if (typeof values['save-attachments'] === 'string') {
        await saveAttachments(
          values['save-attachments'],
          opened.attachments.map((a) => ({ filename: a.filename, bytes: () => [a.bytes] })),
        )
      }
      const attachments = opened.attachments.map(({ filename, size, sha256 }) => ({ filename, size, sha256 }))
      if (values.json) {
        printJson(io, { subject: opened.subject, from: opened.from, date: opened.date, text: opened.text, attachments })
        return exitCodes.ok
      }
      const de = lang === 'de'
      print(
        io,
        `${de ? 'Von' : 'From'}: ${opened.from}\n${de ? 'Betreff' : 'Subject'}: ${opened.subject}\n${de ? 'Datum' : 'Date'}: ${opened.date}`,
      )
      print(io, `\n${opened.text}`)
      for (const attachment of attachments)
        print(io, `[${attachment.filename}, ${attachment.size} B, SHA-256 ${attachment.sha256}]`)
      return exitCodes.ok
    },
  },
]
