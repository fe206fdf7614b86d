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
 * `--save-attachments DIR`: each attachment under a safe, unique name in DIR (owner-only), its bytes written
 * as they are produced. Used by `open`, `mail show` and `container open`.
 */
export async function saveAttachments(
  dir: string,
  attachments: readonly { filename: string; bytes: () => Iterable<Uint8Array> | AsyncIterable<Uint8Array> }[],
): Promise<void> {
  await mkdir(dir, { recursive: true })
  const used = new Set<string>()
  for (const [index, attachment] of attachments.entries()) {
    let name = safeFileName(attachment.filename, index)
    while (used.has(name)) name = `${index + 1}-${name}`
    used.add(name)
    await writeFileAtomic(join(dir, name), attachment.bytes(), {}, { backup: false, mode: 0o600 })
  }
}
