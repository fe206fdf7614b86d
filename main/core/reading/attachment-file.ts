import { open, rm } from 'node:fs/promises'
import { extname } from 'node:path'

/**
 * Writes a decrypted attachment straight to the place the user chose, chunk by chunk (no
 * plaintext temporary file anywhere else); a failure deletes the partial file.
 */
export async function writeAttachment(path: string, chunks: Iterable<Uint8Array>): Promise<number> {
  const handle = await open(path, 'w', 0o600)
  let size = 0
  try {
    for (const chunk of chunks) {
      await handle.write(chunk)
      size += chunk.length
    }
    await handle.sync()
    await handle.close()
    return size
  } catch (error) {
    await handle.close().catch(() => undefined)
    await rm(path, { force: true })
    throw error
  }
}

/** Programs, scripts, installers and Office files with macros: opening one asks first. */
const riskyExtensions = new Set(
  (
    'exe com scr pif bat cmd msi msp msix appx ps1 psm1 vbs vbe js jse wsf wsh hta cpl lnk reg jar ' +
    'sh bash zsh command app dmg pkg deb rpm appimage run bin py pl rb ' +
    'docm dotm xlsm xltm xlam xlsb pptm potm ppam ppsm sldm iso img vhd vhdx one'
  ).split(' '),
)
const riskyTypes =
  /^application\/(x-(ms)?dos-?executable|x-msdownload|x-sh|x-executable|vnd\.microsoft\.portable-executable|java-archive|x-msi|vnd\.ms-[a-z]+\.macroenabled\.[0-9]+)$/i

export function isRiskyToOpen(fileName: string, contentType: string): boolean {
  return riskyExtensions.has(extname(fileName).slice(1).toLowerCase()) || riskyTypes.test(contentType)
}

/** A file name safe to offer in a save dialog: no folders, no control characters, not empty. */
export function safeFileName(name: string): string {
  const withoutControls = [...name]
    .map((char) => (char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f ? '_' : char))
    .join('')
  const cleaned = withoutControls
    .replace(/[/\\:*?"<>|]+/g, '_')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(0, 200)
  return cleaned || 'anhang'
}
