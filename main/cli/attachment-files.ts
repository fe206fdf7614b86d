import { mkdir } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { writeFileAtomic } from '../core/store/atomic-file.ts'

/** A file name that cannot leave the chosen folder (attachment names come from strangers). */
export function safeFileName(name: string, index: number): string {
  const withoutControls = [...name].map((c) => (c.charCodeAt(0) < 0x20 ? '_' : c)).join('')
  const cleaned = basename(withoutControls.replace(/\\/g, '/'))
    .replace(/[<>:"|?*]/g, '_')
    .replace(/^\.+/, '_')
  return cleaned.trim() === '' ? `attachment-${index + 1}` : cleaned
}

/**
 * Writes attachments under safe, unique names in DIR (created owner-only on first use), each file's bytes as they
 * are produced. `open` hands it to openMessage as its attachment sink: one decoding pass both writes a file and
 * gives the SHA-256 the document reports.
 */
export function attachmentSaver(dir: string): {
  /** `ownsChunks`: each chunk is the saver's alone (a new buffer handed out once), freed once its write is done. */
  save(
    filename: string,
    index: number,
    bytes: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
    ownsChunks?: boolean,
  ): Promise<void>
} {
  const used = new Set<string>()
  let made: Promise<unknown> | null = null
  return {
    async save(filename, index, bytes, ownsChunks = false) {
      await (made ??= mkdir(dir, { recursive: true }))
      let name = safeFileName(filename, index)
      while (used.has(name)) name = `${index + 1}-${name}`
      used.add(name)
      await writeFileAtomic(
        join(dir, name),
        bytes,
        {},
        {
          backup: false,
          mode: 0o600,
          // One write at a time (writesAhead 0): a decoded chunk may be a view its producer reuses for the next one.
          releasesWritten: ownsChunks,
        },
      )
    },
  }
}

/**
 * `--save-attachments DIR`: each attachment under a safe, unique name in DIR (owner-only), its bytes written
 * as they are produced. Used by `mail show` and `container open`.
 */
export async function saveAttachments(
  dir: string,
  attachments: readonly { filename: string; bytes: () => Iterable<Uint8Array> | AsyncIterable<Uint8Array> }[],
): Promise<void> {
  await mkdir(dir, { recursive: true })
  const saver = attachmentSaver(dir)
  for (const [index, attachment] of attachments.entries())
    await saver.save(attachment.filename, index, attachment.bytes())
}
