import { randomUUID } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Request } from '../../preload/contract.ts'
import type { ReadingView } from '../../preload/mail-contract.ts'
import { SiegelpostError } from '../core/errors/index.ts'
import type { Vault } from '../core/keys/vault.ts'
import { limits } from '../core/limits.ts'
import { addressesOf } from '../core/message/addresses.ts'
import { messageTechnologies } from '../core/message/technologies.ts'
import { decodedHeader, headerValues, parseMime } from '../core/mime/parse.ts'
import { policyStoreOf, type TransportProfile } from '../core/transport/transport-profile.ts'
import { isRiskyToOpen, safeFileName, writeAttachment } from '../core/reading/attachment-file.ts'
import { markDownloaded, systemMarkFileLayer, type MarkFileLayer } from '../core/reading/download-mark.ts'
import { openForReading, type Reading } from '../core/reading/open-for-reading.ts'
import { withRecord } from '../core/reading/sender-history.ts'
import type { DraftStore } from '../core/drafts/draft-store.ts'
import type { Handlers } from './dispatch.ts'
import { replyDraftFor } from './reply-draft.ts'
import { transportProfileOf, type RegistryDeps } from './handler-deps.ts'

/** What the read view needs from the desktop shell (Electron's dialogs and shell in the app, stand-ins in tests). */
export interface MailShell {
  /** The OS open dialog for a message file (.eml); null when cancelled. */
  chooseMessageFile: () => Promise<string | null>
  /** Opens a saved file with the program the OS associates with it. */
  openPath: (path: string) => Promise<void>
  /** How the download mark is written (the real file system unless a test brings a fake). */
  markLayer?: MarkFileLayer
  platform?: NodeJS.Platform
}

export interface MailHandlerDeps {
  getVault: () => Promise<Vault>
  now: () => Date
  profile: () => Promise<TransportProfile>
  chooseSavePath: (request: { suggestedName: string; kind: 'attachment' }) => Promise<string | null>
  shell: MailShell
  /** Where reply and forward drafts go (the composer's drafts). */
  getDrafts?: () => Promise<DraftStore>
}

type MailChannel =
  'mail:open' | 'mail:save-attachment' | 'mail:open-attachment' | 'mail:offered-key' | 'mail:close' | 'mail:reply'

/** The readings kept open (their decrypted parts stay in main); the oldest is dropped beyond this. */
const openReadingsMax = 4

interface OpenReading {
  reading: Reading
  saved: Map<number, string>
  /** The raw message stays in main, for opening it again after a key changed. */
  bytes: Uint8Array
  fileName: string
}

/** The display name as written (quoted names may hold '<' and '@': shown in full, beside the real address). */
function fromNameOf(from: string): string | null {
  const quoted = /^\s*"((?:[^"\\]|\\.)*)"\s*</.exec(from)?.[1]
  if (quoted !== undefined) return quoted.replace(/\\(.)/g, '$1').trim() || null
  const at = from.lastIndexOf('<')
  const name = at > 0 ? from.slice(0, at).trim() : ''
  return name || null
}

/** Address fields the document may not carry yet (older `open` builds): read from the outer header then. */
interface OuterFields {
  subject: string | undefined
  cc: string[]
  replyTo: string[]
  sender: string[]
}

function viewOf(readingId: string, reading: Reading, outer: OuterFields): ReadingView {
  const { document, summary, parts, signer, previousKey, result } = reading
  const headers = document.headers
  const fromAddresses = addressesOf(headers.from)
  const attachmentProtection = new Map(
    parts.flatMap((part) => (part.kind === 'attachment' ? [[part.index, part] as const] : [])),
  )
  const isEncrypted = document.security.encryption.state === 'encrypted'
  const offered = (result.document.offeredKeys ?? []).map((key) => ({
    ...key,
    canImport: reading.offeredKeyFiles.some((file) => file.fingerprint === key.fingerprint.toUpperCase()),
  }))
  return {
    readingId,
    headers: {
      from: headers.from,
      fromName: fromNameOf(headers.from),
      fromAddresses,
      to: headers.to,
      cc: headers.cc ?? outer.cc,
      replyTo: headers.replyTo ?? outer.replyTo,
      sender: headers.sender ?? outer.sender,
      subject: headers.subject,
      isSubjectProtected: isEncrypted && outer.subject !== undefined && outer.subject !== headers.subject,
      date: headers.date,
    },
    summary: {
      state: summary.state,
      number: summary.number,
      tone: summary.tone,
      confidentiality: summary.confidentiality,
      authenticity: summary.authenticity,
      notValidBecause: summary.notValidBecause,
      isContentHidden: summary.isContentHidden,
      isKeyMissing: summary.isKeyMissing,
    },
    warnings: summary.warnings,
    encryption: { ...document.security.encryption, code: document.security.encryption.code ?? null },
    signature: { ...document.security.signature, code: document.security.signature.code ?? null },
    signer,
    previousKey,
    transport: {
      tls: document.security.transport.tls,
      hops: document.security.transport.hops.map(({ from, by, with: protocol, tls, version, date }) => ({
        from,
        by,
        with: protocol,
        tls,
        version,
        date,
      })),
    },
    parts,
    attachments: result.document.attachments.map((attachment, index) => {
      const part = attachmentProtection.get(index)
      return {
        index,
        filename: attachment.filename,
        contentType: attachment.contentType,
        size: attachment.size,
        sha256: attachment.sha256,
        encrypted: part?.encrypted ?? isEncrypted,
        signed: part?.signed ?? document.security.signature.state !== 'none',
        isRisky: isRiskyToOpen(attachment.filename, attachment.contentType),
      }
    }),
    offeredKeys: offered,
  }
}

async function messageBytes(
  source: Exclude<Request<'mail:open'>['source'], { kind: 'again' }>,
  shell: MailShell,
): Promise<{ bytes: Uint8Array; fileName: string } | null> {
  if (source.kind === 'stored') throw new SiegelpostError('READING_SOURCE_NOT_READY')
  if (source.kind === 'dropped') return { bytes: Buffer.from(source.data, 'base64'), fileName: source.fileName }
  const path = await shell.chooseMessageFile()
  if (path === null) return null
  try {
    const info = await stat(path)
    if (info.size > limits.messageMaxBytes)
      throw new SiegelpostError('FILE_TOO_LARGE', { path, limit: `${limits.messageMaxBytes / 1024 / 1024} MiB` })
    return { bytes: await readFile(path), fileName: basename(path) }
  } catch (error) {
    if (error instanceof SiegelpostError) throw error
    throw new SiegelpostError('FILE_UNREADABLE', { path, reason: (error as NodeJS.ErrnoException).code ?? 'I/O' })
  }
}

/** The read view's handlers: open a message, save and open its attachments, offer its keys. */
export function createMailHandlers(deps: MailHandlerDeps): Pick<Handlers, MailChannel> {
  const readings = new Map<string, OpenReading>()
  const get = (readingId: string) => {
    const open = readings.get(readingId)
    if (!open) throw new SiegelpostError('READING_GONE')
    return open
  }
  const close = (readingId: string) => {
    readings.get(readingId)?.reading.result.dispose()
    readings.delete(readingId)
  }
  const attachmentOf = (open: OpenReading, index: number) => {
    const attachment = open.reading.result.document.attachments[index]
    if (!attachment) throw new SiegelpostError('READING_ATTACHMENT_UNKNOWN')
    return attachment
  }
  return {
    'mail:open': async ({ source }) => {
      let message: { bytes: Uint8Array; fileName: string } | null
      if (source.kind === 'again') {
        const previous = get(source.readingId)
        message = { bytes: previous.bytes, fileName: previous.fileName }
        close(source.readingId)
      } else message = await messageBytes(source, deps.shell)
      if (message === null) return { cancelled: true, reading: null }
      const root = (() => {
        try {
          return parseMime(message.bytes)
        } catch (error) {
          if (error instanceof SiegelpostError) throw error
          throw new SiegelpostError('READING_NOT_A_MESSAGE', { file: message.fileName })
        }
      })()
      if (root.headers.length === 0) throw new SiegelpostError('READING_NOT_A_MESSAGE', { file: message.fileName })
      const vault = await deps.getVault()
      const policy = await policyStoreOf(await deps.profile()).load()
      const tlsTargets = new Set(
        policy.rules.filter((rule) => rule.require !== 'e2e').map((rule) => rule.target.toLowerCase()),
      )
      const reading = await openForReading(message.bytes, {
        technologies: messageTechnologies,
        context: { keys: vault.contents.keys, now: deps.now() },
        senders: vault.contents.senders ?? [],
        requiresTls: (target) => tlsTargets.has(target.toLowerCase()),
      })
      const record = reading.senderRecord
      if (record) await vault.update((draft) => void (draft.senders = withRecord(draft.senders ?? [], record)))
      const readingId = randomUUID()
      readings.set(readingId, { reading, saved: new Map(), bytes: message.bytes, fileName: message.fileName })
      while (readings.size > openReadingsMax) close(readings.keys().next().value!)
      const outer = {
        subject: decodedHeader(root, 'subject'),
        cc: headerValues(root, 'cc').flatMap((value) => addressesOf(value)),
        replyTo: headerValues(root, 'reply-to').flatMap((value) => addressesOf(value)),
        sender: headerValues(root, 'sender').flatMap((value) => addressesOf(value)),
      }
      return { cancelled: false, reading: viewOf(readingId, reading, outer) }
    },
    'mail:save-attachment': async ({ readingId, index }) => {
      const open = get(readingId)
      const attachment = attachmentOf(open, index)
      const suggestedName = safeFileName(attachment.filename)
      const path = await deps.chooseSavePath({ suggestedName, kind: 'attachment' })
      if (path === null) return { saved: false, fileName: suggestedName, isMarked: false }
      try {
        await writeAttachment(path, open.reading.result.attachmentChunks[index]!())
      } catch (error) {
        throw new SiegelpostError('READING_SAVE_FAILED', {
          file: basename(path),
          reason: (error as NodeJS.ErrnoException).code ?? 'I/O',
        })
      }
      const isMarked = await markDownloaded(
        path,
        deps.shell.platform ?? process.platform,
        deps.shell.markLayer ?? systemMarkFileLayer,
        deps.now(),
      )
      open.saved.set(index, path)
      return { saved: true, fileName: basename(path), isMarked }
    },
    'mail:open-attachment': async ({ readingId, index, confirmed }) => {
      const open = get(readingId)
      const attachment = attachmentOf(open, index)
      const path = open.saved.get(index)
      if (path === undefined) throw new SiegelpostError('READING_NOT_SAVED')
      if (isRiskyToOpen(attachment.filename, attachment.contentType) && !confirmed)
        return { opened: false, needsConfirmation: true }
      await deps.shell.openPath(path)
      return { opened: true, needsConfirmation: false }
    },
    'mail:offered-key': async ({ readingId, fingerprint }) => {
      const file = get(readingId).reading.offeredKeyFiles.find((k) => k.fingerprint === fingerprint.toUpperCase())
      if (!file) throw new SiegelpostError('READING_ATTACHMENT_UNKNOWN')
      return {
        fileName: `${file.fingerprint.slice(-16)}.asc`,
        data: Buffer.from(file.armored, 'utf8').toString('base64'),
      }
    },
    'mail:close': async ({ readingId }) => (close(readingId), {}),
    'mail:reply': async (request) => {
      if (!deps.getDrafts) throw new SiegelpostError('REPLY_DRAFT_GONE')
      return replyDraftFor(get(request.readingId), request, { ...deps, getDrafts: deps.getDrafts })
    },
  }
}

/** Without a desktop shell: no open dialog (as if cancelled), and nothing is opened. */
const noMailShell: MailShell = {
  chooseMessageFile: async () => null,
  openPath: async () => {
    throw new SiegelpostError('READING_NOT_SAVED')
  },
}

/** The mail domain's handlers for the registry. */
export function mailHandlers(deps: RegistryDeps) {
  return createMailHandlers({
    getVault: deps.getVault,
    now: deps.now,
    profile: () => transportProfileOf(deps),
    chooseSavePath: deps.chooseSavePath,
    shell: deps.mailShell ?? noMailShell,
    getDrafts: deps.getDrafts,
  })
}
