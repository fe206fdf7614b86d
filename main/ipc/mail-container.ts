import { openContainer, type OpenedContainer } from '../core/container/read.ts'
import { SiegelpostError } from '../core/errors/index.ts'
import { limits } from '../core/limits.ts'

/**
 * A password PDF attached to a message in the read view (what Siegelpost sends to a client without keys):
 * recognised without the password by its structure — a PDF whose trailer names an /Encrypt dictionary, which
 * PDF never encrypts — and opened with the `container open` core. The attachment's bytes stay in main.
 */
const marker = Buffer.from('/Encrypt')

export function isPasswordPdf(
  attachment: { filename: string; contentType: string; size: number },
  chunks: () => Iterable<Uint8Array>,
): boolean {
  const named = /^application\/(pdf|x-pdf)$/i.test(attachment.contentType) || /\.pdf$/i.test(attachment.filename)
  if (!named || attachment.size > limits.containerMaxFileBytes) return false
  let head = true
  let tail = Buffer.alloc(0)
  for (const chunk of chunks()) {
    const bytes = Buffer.concat([tail, chunk])
    if (head && !bytes.subarray(0, 1024).includes('%PDF-')) return false
    head = false
    if (bytes.includes(marker)) return true
    tail = bytes.subarray(Math.max(0, bytes.length - marker.length + 1))
  }
  return false
}

/** The whole attachment in memory (a container is opened whole), within the container file limit. */
function bytesOf(size: number, chunks: () => Iterable<Uint8Array>): Uint8Array {
  if (size > limits.containerMaxFileBytes) throw new SiegelpostError('CONTAINER_UNREADABLE', { reason: 'too large' })
  return Buffer.concat([...chunks()])
}

export async function openAttachedContainer(
  size: number,
  chunks: () => Iterable<Uint8Array>,
  password: string,
): Promise<OpenedContainer> {
  const bytes = bytesOf(size, chunks)
  try {
    return await openContainer(bytes, password)
  } finally {
    bytes.fill(0)
  }
}

/** What the renderer sees of an opened container: the text and the file list, never the file bytes. */
export function openedView({ from, date, subject, text, attachments }: OpenedContainer) {
  return {
    from,
    date,
    subject,
    text,
    attachments: attachments.map(({ filename, contentType, size, sha256 }, index) => ({
      index,
      filename,
      contentType,
      size,
      sha256,
    })),
  }
}

export function forgetOpened(opened: Iterable<OpenedContainer>): void {
  for (const container of opened) for (const file of container.attachments) file.bytes.fill(0)
}
