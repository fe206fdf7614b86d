import { randomUUID } from 'node:crypto'
import { basename } from 'node:path'
import { openContainer, type OpenedContainer } from '../core/container/read.ts'
import { SiegelpostError } from '../core/errors/index.ts'
import { limits } from '../core/limits.ts'
import { readLimitedFile } from '../core/secret-file.ts'
import { saveChosenFile } from './consent-handlers.ts'
import type { DomainHandlers } from './dispatch.ts'
import type { RegistryDeps } from './handler-deps.ts'
import { openedView } from './mail-container.ts'

interface Session {
  path: string
  opened: OpenedContainer | null
}

/** Opened containers kept at once: each holds its attachments in memory until closed. */
const maxSessions = 4

/** A name that cannot leave the chosen folder (attachment names come from the sender). */
function savableName(name: string, index: number): string {
  const cleaned = basename(
    [...name]
      .map((c) => (c.charCodeAt(0) < 0x20 ? '_' : c))
      .join('')
      .replace(/\\/g, '/'),
  )
    .replace(/[<>:"|?*]/g, '_')
    .replace(/^\.+/, '_')
    .trim()
  return cleaned === '' ? `attachment-${index + 1}` : cleaned
}

/**
 * A received password PDF opened in the app (`container:*`, as `siegelpost container open`): main asks
 * which file, reads and decrypts it, and keeps the attachments; the renderer gets the text, the file list
 * with SHA-256 and an id, and saves an attachment through main's save dialog. The password is used once.
 */
export function containerHandlers(deps: RegistryDeps): DomainHandlers<'container'> {
  const sessions = new Map<string, Session>()
  const sessionOf = (containerId: string, channel: string): Session => {
    const session = sessions.get(containerId)
    if (!session) throw new SiegelpostError('IPC_BAD_REQUEST', { channel })
    return session
  }
  return {
    'container:choose': async () => {
      const path = deps.chooseOpenPath ? await deps.chooseOpenPath({ kind: 'container' }) : null
      if (path === null) return { containerId: null, fileName: '' }
      while (sessions.size >= maxSessions) sessions.delete(sessions.keys().next().value!)
      const containerId = randomUUID()
      sessions.set(containerId, { path, opened: null })
      return { containerId, fileName: basename(path) }
    },
    'container:open': async ({ containerId, password }) => {
      const session = sessionOf(containerId, 'container:open')
      const bytes = await readLimitedFile(session.path, limits.containerMaxFileBytes)
      session.opened = await openContainer(bytes, password)
      return openedView(session.opened)
    },
    'container:save-attachment': async ({ containerId, index }) => {
      const attachment = sessionOf(containerId, 'container:save-attachment').opened?.attachments[index]
      if (!attachment) throw new SiegelpostError('IPC_BAD_REQUEST', { channel: 'container:save-attachment' })
      const request = { suggestedName: savableName(attachment.filename, index), kind: 'attachment' as const }
      return saveChosenFile(deps, request, async () => attachment.bytes)
    },
    'container:close': async ({ containerId }) => {
      const opened = sessions.get(containerId)?.opened
      for (const attachment of opened?.attachments ?? []) attachment.bytes.fill(0)
      sessions.delete(containerId)
      return {}
    },
  }
}
