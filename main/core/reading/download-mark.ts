import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'

/**
 * The mark an OS puts on a downloaded file, so its malware scanner and its "this file came from
 * the internet" warnings apply to a saved attachment too. The value names no subject and no
 * sender: only that the file came from a mail program.
 *   Linux: the `user.xdg.origin.url` extended attribute (freedesktop.org "Common Extended Attributes").
 *   Windows: the `Zone.Identifier` alternate data stream with ZoneId=3 (Internet zone).
 *   macOS: the `com.apple.quarantine` extended attribute.
 */
export type DownloadMark =
  { kind: 'xattr'; name: string; value: string } | { kind: 'stream'; stream: string; content: string }

/** What the mark is written with; the app uses the real file system, tests a fake. */
export interface MarkFileLayer {
  setExtendedAttribute(path: string, name: string, value: string): Promise<void>
  /** Writes a named stream of the file (NTFS alternate data stream: `path:stream`). */
  writeStream(path: string, stream: string, content: string): Promise<void>
}

export const originUrl = 'siegelpost:mail-attachment'

export function downloadMarkFor(platform: NodeJS.Platform, now: Date, agent = 'Siegelpost'): DownloadMark | null {
  if (platform === 'win32')
    return { kind: 'stream', stream: 'Zone.Identifier', content: '[ZoneTransfer]\r\nZoneId=3\r\n' }
  if (platform === 'darwin') {
    // flags;hex seconds since 1970;agent;event id — 0081 marks a download the user has not opened yet.
    return {
      kind: 'xattr',
      name: 'com.apple.quarantine',
      value: `0081;${Math.floor(now.getTime() / 1000).toString(16)};${agent};`,
    }
  }
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd')
    return { kind: 'xattr', name: 'user.xdg.origin.url', value: originUrl }
  return null
}

/** Puts the mark on `path`; returns whether the file carries it (a file system without xattrs says no). */
export async function markDownloaded(
  path: string,
  platform: NodeJS.Platform,
  layer: MarkFileLayer,
  now: Date,
): Promise<boolean> {
  const mark = downloadMarkFor(platform, now)
  if (!mark) return false
  try {
    if (mark.kind === 'stream') await layer.writeStream(path, mark.stream, mark.content)
    else await layer.setExtendedAttribute(path, mark.name, mark.value)
    return true
  } catch {
    return false
  }
}

const run = promisify(execFile)

/**
 * The real file layer. Extended attributes through `setfattr` (Debian `attr`) on Linux and `xattr`
 * on macOS (Node has no xattr call); NTFS streams are files named `path:stream` on Windows.
 */
export const systemMarkFileLayer: MarkFileLayer = {
  async setExtendedAttribute(path, name, value) {
    if (process.platform === 'darwin') await run('/usr/bin/xattr', ['-w', name, value, path], { timeout: 5000 })
    else await run('setfattr', ['-n', name, '-v', value, '--', path], { timeout: 5000 })
  },
  async writeStream(path, stream, content) {
    await writeFile(`${path}:${stream}`, content, 'utf8')
  },
}
