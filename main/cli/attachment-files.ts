import { basename } from 'node:path'

/** Media types by file extension for attachments added by path. */
export const mediaTypes: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  zip: 'application/zip',
  xml: 'application/xml',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  asc: 'application/pgp-keys',
}

/** A file name that cannot leave the chosen folder (attachment names come from strangers). */
export function safeFileName(name: string, index: number): string {
  const withoutControls = [...name].map((c) => (c.charCodeAt(0) < 0x20 ? '_' : c)).join('')
  const cleaned = basename(withoutControls.replace(/\\/g, '/')).replace(/[<>:"|?*]/g, '_').replace(/^\.+/, '_')
  return cleaned.trim() === '' ? `attachment-${index + 1}` : cleaned
}
