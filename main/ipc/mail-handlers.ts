import { randomUUID } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, extname } from 'node:path'
import type { Request } from '../../preload/contract.ts'
import type { MailSource, ReadingView, Seen } from '../../preload/mail-contract.ts'
import { SiegelpostError } from '../core/errors/index.ts'
import type { Vault } from '../core/keys/vault.ts'
import { limits } from '../core/limits.ts'
import { isUnread } from '../core/mailbox/folder-summary.ts'
import { addressesOf } from '../core/message/addresses.ts'
import { messageTechnologies } from '../core/message/technologies.ts'
import type { StreamingContext, WorkerLike, WorkerPurpose } from '../core/message/technology.ts'
import { decodedHeader, headerValues, parseMime } from '../core/mime/parse.ts'
import { policyStoreOf, type TransportProfile } from '../core/transport/transport-profile.ts'
import { isRiskyToOpen, safeFileName, writeAttachment } from '../core/reading/attachment-file.ts'
import { markDownloaded, systemMarkFileLayer, type MarkFileLayer } from '../core/reading/download-mark.ts'
import { openForReading } from '../core/reading/open-for-reading.ts'
import { withRecord } from '../core/reading/sender-history.ts'
import type { DraftStore } from '../core/drafts/draft-store.ts'
import type { Handlers } from './dispatch.ts'
import { forgetOpened, openAttachedContainer, openedView } from './mail-container.ts'
import type { OpenedContainer } from '../core/container/read.ts'
import { mailExportHandlers, type ExportableReading } from './mail-export-handlers.ts'
import { replyDraftFor } from './reply-draft.ts'
import { transportProfileOf, type RegistryDeps } from './handler-deps.ts'
import { viewOf } from './reading-view.ts'
import { mailboxAccessOf } from './mailbox-access.ts'

/** What the read view needs from the desktop shell (Electron's dialogs and shell in the app, stand-ins in tests). */
export interface MailShell {
  /** The OS open dialog for a message file (.eml); null when cancelled. */
  chooseMessageFile: () => Promise<string | null>
  /** Opens a saved file with the program the OS associates with it. */
  openPath: (path: string) => Promise<void>
  /** How the download mark is written (the real file system unless a test brings a fake). */
  markLayer?: MarkFileLayer
  platform?: NodeJS.Platform
  /** Prints a self-contained page (the message record) through the OS print dialog; false when cancelled. */
  print?: (page: { html: string; title: string }) => Promise<boolean>
}

/** The synced local store, for messages opened by their row id (kind `stored`). */
export interface StoredMessages {
  /** The raw message as the server sent it (opened from its sealed form in memory) and whether it was read. */
  read: (id: string) => Promise<{ bytes: Uint8Array; fileName: string; isSeen: boolean }>
  /** Marks it read: on the server first, then in the store. */
  markSeen: (id: string) => Promise<Exclude<Seen, 'already'>>
  /** Keeps the subject from inside the protection (header protection), sealed, for the list and search. */
  keepProtectedSubject: (id: string, subject: string) => Promise<void>
}

export interface MailHandlerDeps {
  getVault: () => Promise<Vault>
  now: () => Date
  profile: () => Promise<TransportProfile>
  chooseSavePath: (request: {
    suggestedName: string
    kind: 'attachment' | 'message' | 'record'
  }) => Promise<string | null>
  shell: MailShell
  /** Who checks the messages, for the record ("Siegelpost 0.1.0"). */
  checkedWith?: string
  /** A fresh worker thread for a large message's decryption (none: the same work runs on the main thread). */
  startWorker?: (name: 'openpgp' | 'smime', purpose?: WorkerPurpose) => WorkerLike
  /** Where a large message's decrypted entity is spooled (encrypted) while it is read; the OS temp folder by default. */
  tempDir?: string | undefined
  /** Without it a stored message cannot be opened (READING_SOURCE_NOT_READY). */
  stored?: StoredMessages
  /** Where reply and forward drafts go (the composer's drafts). */
  getDrafts?: () => Promise<DraftStore>
}

type MailChannel =
  | 'mail:open'
  | 'mail:save-attachment'
  | 'mail:open-attachment'
  | 'mail:offered-key'
  | 'mail:close'
  | 'mail:container-open'
  | 'mail:container-save'
  | 'mail:export-eml'
  | 'mail:export-pdf'
  | 'mail:print'
  | 'mail:progress'
  | 'mail:cancel'
  | 'mail:reply'

/** How long an opened stored message waits for the server's "read" answer before it is shown anyway. */
const storedSeenWaitMs = 3000

/** The readings kept open (their decrypted parts stay in main); the oldest is dropped beyond this. */
const openReadingsMax = 4

interface OpenReading extends ExportableReading {
  saved: Map<number, string>
  /** Attached password PDFs opened with their password, by attachment index (their files stay here). */
  containers: Map<number, OpenedContainer>
}

/** A reading made, and (for a stored message) the marking as read on its way to the server. */
interface Opened {
  view: ReadingView
  marking: Promise<Seen> | null
}

/** An opening the window named (`jobId`): its progress, and the workers to end when it is cancelled. */
interface OpeningJob {
  isCancelled: boolean
  done: number
  total: number
  workers: Set<WorkerLike>
}

/** Openings cancelled before they started (the window may cancel while the open dialog is still up). */
const cancelledEarlyMax = 32

async function messageBytes(
  source: Exclude<Request<'mail:open'>['source'], { kind: 'again' | 'stored' }>,
  shell: MailShell,
): Promise<{ bytes: Uint8Array; fileName: string } | null> {
  if (source.kind === 'dropped') return { bytes: Buffer.from(source.data, 'base64'), fileName: source.fileName }
  // A dropped file's path is only ever read as a message: an .eml, a regular file, within the size limit.
  if (source.kind === 'dropped-path' && extname(source.path).toLowerCase() !== '.eml')
    throw new SiegelpostError('READING_NOT_A_MESSAGE', { file: basename(source.path) })
  const path = source.kind === 'dropped-path' ? source.path : await shell.chooseMessageFile()
  if (path === null) return null
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new SiegelpostError('READING_NOT_A_MESSAGE', { file: basename(path) })
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
  const jobs = new Map<string, OpeningJob>()
  const cancelledEarly = new Set<string>()
  /** Large encrypted parts go through a worker (ended on cancel) into an encrypted spool, with progress. */
  const streamingFor = (job: OpeningJob | null): StreamingContext => ({
    tempDir: deps.tempDir ?? tmpdir(),
    ...(deps.startWorker
      ? {
          startWorker: (name: 'openpgp' | 'smime' = 'openpgp', purpose?: WorkerPurpose) => {
            const worker = deps.startWorker!(name, purpose)
            job?.workers.add(worker)
            if (job?.isCancelled) void worker.terminate()
            return worker
          },
        }
      : {}),
    onProgress: ({ done, total }) => {
      if (job) Object.assign(job, { done, total })
    },
  })
  const get = (readingId: string) => {
    const open = readings.get(readingId)
    if (!open) throw new SiegelpostError('READING_GONE')
    return open
  }
  const close = (readingId: string) => {
    readings.get(readingId)?.reading.result.dispose()
    forgetOpened(readings.get(readingId)?.containers.values() ?? [])
    readings.delete(readingId)
  }
  /** The attachment save path: main's save dialog, written in chunks, marked as downloaded for the OS. */
  const saveChunks = async (suggestedName: string, chunks: Iterable<Uint8Array>) => {
    const path = await deps.chooseSavePath({ suggestedName, kind: 'attachment' })
    if (path === null) return { saved: false, fileName: suggestedName, isMarked: false, path }
    try {
      await writeAttachment(path, chunks)
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
    return { saved: true, fileName: basename(path), isMarked, path }
  }
  const attachmentOf = (open: OpenReading, index: number) => {
    const attachment = open.reading.result.document.attachments[index]
    if (!attachment) throw new SiegelpostError('READING_ATTACHMENT_UNKNOWN')
    return attachment
  }
  /** Opens the message of `source` into a new reading; null when the dialog was closed or the job cancelled. */
  const openReading = async (source: MailSource, job: OpeningJob | null): Promise<Opened | null> => {
    let message: { bytes: Uint8Array; fileName: string } | null
    let marking: Promise<Seen> | null = null
    if (source.kind === 'again') {
      const previous = get(source.readingId)
      message = { bytes: previous.bytes, fileName: previous.fileName }
      close(source.readingId)
    } else if (source.kind === 'stored') {
      if (!deps.stored) throw new SiegelpostError('READING_SOURCE_NOT_READY')
      const stored = await deps.stored.read(source.id)
      message = stored
      // Marked read on the server while the message opens; the reading never waits for a slow server.
      marking = stored.isSeen ? Promise.resolve('already') : deps.stored.markSeen(source.id)
    } else message = await messageBytes(source, deps.shell)
    if (message === null) return null
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
      context: { keys: vault.contents.keys, now: deps.now(), streaming: streamingFor(job) },
      senders: vault.contents.senders ?? [],
      requiresTls: (target) => tlsTargets.has(target.toLowerCase()),
    })
    if (job?.isCancelled) {
      // Nothing of a cancelled opening is kept or shown.
      reading.result.dispose()
      return null
    }
    const record = reading.senderRecord
    const certificate = reading.collectedCertificate
    if (record || certificate)
      await vault.update((draft) => {
        if (record) draft.senders = withRecord(draft.senders ?? [], record)
        // A validly signed S/MIME mail's certificate is kept for encrypting the reply (public part only).
        if (certificate && !draft.keys.some((key) => key.fingerprint === certificate.fingerprint))
          draft.keys.push(certificate)
      })
    const readingId = randomUUID()
    const outer = {
      subject: decodedHeader(root, 'subject'),
      cc: headerValues(root, 'cc').flatMap((value) => addressesOf(value)),
      replyTo: headerValues(root, 'reply-to').flatMap((value) => addressesOf(value)),
      sender: headerValues(root, 'sender').flatMap((value) => addressesOf(value)),
    }
    const view = viewOf(readingId, reading, outer)
    readings.set(readingId, {
      reading,
      view,
      saved: new Map(),
      bytes: message.bytes,
      fileName: message.fileName,
      messageId: decodedHeader(root, 'message-id')?.trim() || null,
      containers: new Map(),
    })
    while (readings.size > openReadingsMax) close(readings.keys().next().value!)
    if (source.kind === 'stored' && view.headers.isSubjectProtected)
      await deps.stored!.keepProtectedSubject(source.id, view.headers.subject)
    return { view, marking }
  }
  return {
    'mail:open': async ({ source, jobId }) => {
      const job: OpeningJob | null = jobId ? { isCancelled: false, done: 0, total: 0, workers: new Set() } : null
      if (job && jobId) {
        job.isCancelled = cancelledEarly.delete(jobId)
        jobs.set(jobId, job)
      }
      try {
        const opened = await openReading(source, job)
        if (opened === null || job?.isCancelled) return { cancelled: true, reading: null }
        if (!opened.marking) return { cancelled: false, reading: opened.view, seen: null }
        const seen = await Promise.race([
          opened.marking,
          new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), storedSeenWaitMs)),
        ])
        return { cancelled: false, reading: opened.view, seen }
      } catch (error) {
        // A cancelled opening ends with its worker: whatever that throws is the cancel, not an error.
        if (job?.isCancelled) return { cancelled: true, reading: null }
        throw error
      } finally {
        if (jobId) jobs.delete(jobId)
      }
    },
    'mail:progress': async ({ jobId }) => {
      const job = jobs.get(jobId)
      if (!job) return { state: 'unknown', done: 0, total: 0 }
      return { state: job.isCancelled ? 'cancelled' : 'running', done: job.done, total: job.total }
    },
    'mail:cancel': async ({ jobId }) => {
      const job = jobs.get(jobId)
      if (!job) {
        cancelledEarly.add(jobId)
        if (cancelledEarly.size > cancelledEarlyMax) cancelledEarly.delete(cancelledEarly.values().next().value!)
        return { wasRunning: false }
      }
      job.isCancelled = true
      await Promise.all([...job.workers].map((worker) => worker.terminate().catch(() => undefined)))
      return { wasRunning: true }
    },
    ...mailExportHandlers({
      get,
      now: deps.now,
      chooseSavePath: deps.chooseSavePath,
      shell: deps.shell,
      checkedWith: deps.checkedWith ?? 'Siegelpost',
    }),
    'mail:save-attachment': async ({ readingId, index }) => {
      const open = get(readingId)
      const attachment = attachmentOf(open, index)
      const { path, ...saved } = await saveChunks(
        safeFileName(attachment.filename),
        open.reading.result.attachmentChunks[index]!(),
      )
      if (path !== null) open.saved.set(index, path)
      return saved
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
    'mail:container-open': async ({ readingId, index, password }) => {
      const open = get(readingId)
      const attachment = attachmentOf(open, index)
      // A wrong password throws here and changes nothing; a right one keeps the files with the reading.
      const opened = await openAttachedContainer(
        attachment.size,
        open.reading.result.attachmentChunks[index]!,
        password,
      )
      forgetOpened([open.containers.get(index)].filter((c) => c !== undefined))
      open.containers.set(index, opened)
      return openedView(opened)
    },
    'mail:container-save': async ({ readingId, index, file }) => {
      const enclosed = get(readingId).containers.get(index)?.attachments[file]
      if (!enclosed) throw new SiegelpostError('READING_ATTACHMENT_UNKNOWN')
      const { path: _path, ...saved } = await saveChunks(safeFileName(enclosed.filename), [enclosed.bytes])
      return saved
    },
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
  const access = mailboxAccessOf(deps)
  const stored: StoredMessages = {
    read: async (id) => {
      const store = await access.store()
      const row = store.get(id)
      if (!row) throw new SiegelpostError('MAIL_NOT_FOUND', { id })
      const bytes = store.raw(id)
      if (!bytes) throw new SiegelpostError('STORE_DAMAGED', { path: store.path, reason: `message ${id}` })
      return { bytes, fileName: `${row.subject || id}.eml`, isSeen: !isUnread(row) }
    },
    markSeen: access.markSeen,
    keepProtectedSubject: async (id, subject) => {
      const store = await access.store()
      if (store.get(id)?.protectedSubject === subject) return
      // Kept for the list only: a store another process keeps busy past the retries keeps it on a later opening.
      await store
        .soon(() => store.setProtectedSubject(id, subject))
        .catch((error: unknown) => {
          if (!(error instanceof SiegelpostError && error.code === 'STORE_BUSY')) throw error
        })
    },
  }
  return createMailHandlers({
    stored,
    getVault: deps.getVault,
    now: deps.now,
    profile: () => transportProfileOf(deps),
    chooseSavePath: deps.chooseSavePath,
    shell: deps.mailShell ?? noMailShell,
    checkedWith: `${deps.appInfo.name} ${deps.appInfo.version}`,
    startWorker: deps.startWorker,
    tempDir: deps.tempDir,
    getDrafts: deps.getDrafts,
  })
}
