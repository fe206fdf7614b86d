import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { basename } from 'node:path'
import type { ReadingView } from '../../preload/mail-contract.ts'
import { SiegelpostError } from '../core/errors/index.ts'
import { safeFileName, writeAttachment } from '../core/reading/attachment-file.ts'
import { markDownloaded, systemMarkFileLayer } from '../core/reading/download-mark.ts'
import type { Reading } from '../core/reading/open-for-reading.ts'
import { messageRecordOf, type RecordInput } from '../core/reading/record.ts'
import { recordHtml } from '../core/reading/record-html.ts'
import { recordPdf } from '../core/reading/record-pdf.ts'
import type { RecordLang } from '../core/reading/record-words.ts'
import type { Handlers } from './dispatch.ts'
import type { MailShell } from './mail-handlers.ts'

/** What an open reading keeps in main for the record and the original (the view as sent, the raw bytes). */
export interface ExportableReading {
  reading: Reading
  view: ReadingView
  bytes: Uint8Array
  fileName: string
  messageId: string | null
}

export interface MailExportDeps {
  get: (readingId: string) => ExportableReading
  now: () => Date
  chooseSavePath: (request: { suggestedName: string; kind: 'message' | 'record' }) => Promise<string | null>
  shell: MailShell
  /** Who checked the message, for the record ("Siegelpost 0.1.0"). */
  checkedWith: string
}

type ExportChannel = 'mail:export-eml' | 'mail:export-pdf' | 'mail:print'

/** The record's input: the view the window got, the parts main holds, the original's size and digest. */
export function recordInputOf(open: ExportableReading, checkedAt: Date, checkedWith: string): RecordInput {
  const { view } = open
  return {
    headers: { ...view.headers, messageId: open.messageId },
    summary: { ...view.summary, warnings: view.warnings },
    encryption: view.encryption,
    signature: view.signature,
    signer: view.signer,
    hops: view.transport.hops,
    parts: open.reading.parts,
    attachments: view.attachments,
    original: {
      fileName: open.fileName,
      size: open.bytes.length,
      sha256: createHash('sha256').update(open.bytes).digest('hex'),
    },
    checkedAt,
    checkedWith,
  }
}

/**
 * A file name for the saved message: its date and, unless the subject was sent encrypted (then it
 * must not land in a file name on disk by itself), its subject.
 */
function suggestedNameOf(view: ReadingView, extension: 'eml' | 'pdf', fallback: string): string {
  const time = Date.parse(view.headers.date)
  const day = Number.isNaN(time) ? '' : new Date(time).toISOString().slice(0, 10)
  const subject = extension === 'eml' && view.headers.isSubjectProtected ? '' : view.headers.subject
  const stem = [day, subject].filter(Boolean).join(' ') || fallback
  return `${safeFileName(stem).slice(0, 120)}.${extension}`
}

const saveFailed = (path: string, error: unknown) =>
  new SiegelpostError('READING_EXPORT_FAILED', {
    file: basename(path),
    reason: (error as NodeJS.ErrnoException).code ?? 'I/O',
  })

/** The read view's archive actions: the original .eml, the PDF record, the printout. */
export function mailExportHandlers(deps: MailExportDeps): Pick<Handlers, ExportChannel> {
  const recordOf = (readingId: string, lang: RecordLang) => {
    const open = deps.get(readingId)
    const now = deps.now()
    return { record: messageRecordOf(recordInputOf(open, now, deps.checkedWith), lang), open, now }
  }
  return {
    'mail:export-eml': async ({ readingId }) => {
      const open = deps.get(readingId)
      const suggestedName = suggestedNameOf(open.view, 'eml', 'nachricht')
      const path = await deps.chooseSavePath({ suggestedName, kind: 'message' })
      if (path === null) return { saved: false, fileName: suggestedName, isMarked: false }
      const chunkBytes = 1024 * 1024
      const chunks = function* () {
        for (let at = 0; at < open.bytes.length; at += chunkBytes) yield open.bytes.subarray(at, at + chunkBytes)
      }
      try {
        await writeAttachment(path, chunks())
      } catch (error) {
        throw saveFailed(path, error)
      }
      // Mail from outside, like an attachment: the OS's scanner and warnings apply to it.
      const isMarked = await markDownloaded(
        path,
        deps.shell.platform ?? process.platform,
        deps.shell.markLayer ?? systemMarkFileLayer,
        deps.now(),
      )
      return { saved: true, fileName: basename(path), isMarked }
    },
    'mail:export-pdf': async ({ readingId, lang }) => {
      const { record, open, now } = recordOf(readingId, lang)
      const fallback = lang === 'de' ? 'nachrichtenprotokoll' : 'message-record'
      const suggestedName = suggestedNameOf(open.view, 'pdf', fallback)
      const path = await deps.chooseSavePath({ suggestedName, kind: 'record' })
      if (path === null) return { saved: false, fileName: suggestedName }
      const bytes = await recordPdf(record, now)
      try {
        await writeFile(path, bytes, { mode: 0o600 })
      } catch (error) {
        throw saveFailed(path, error)
      }
      return { saved: true, fileName: basename(path) }
    },
    'mail:print': async ({ readingId, lang }) => {
      const { record } = recordOf(readingId, lang)
      if (!deps.shell.print) throw new SiegelpostError('READING_PRINT_UNAVAILABLE')
      return {
        printed: await deps.shell.print({ html: recordHtml(record), title: `${record.title}: ${record.subject}` }),
      }
    },
  }
}
