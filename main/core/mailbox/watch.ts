import { limits } from '../limits.ts'
import type { ImapSession } from '../transport/imap-session.ts'

/**
 * Notices new mail, expunges and flag changes in one folder while the app runs: IDLE (RFC 2177) where the
 * server offers it, else a NOOP every `pollMs` (the server reports changes of the selected folder in its
 * answer, RFC 3501 §6.1.2). `onChange` only says that something changed; the caller runs `syncFolder`
 * (on another session) to store it. The session is this watcher's own while it runs.
 */
export interface WatchEvent {
  folder: string
  kind: 'exists' | 'expunge' | 'flags'
}

export interface Watcher {
  mode: 'idle' | 'poll'
  stop(): Promise<void>
}

export interface WatchOptions {
  onChange: (event: WatchEvent) => void
  pollMs?: number
  idleMs?: number
  /** Called when the connection fails; the watcher has stopped then. */
  onError?: (error: unknown) => void
}

export async function watchFolder(session: ImapSession, folder: string, options: WatchOptions): Promise<Watcher> {
  const { client } = session
  const mode = client.capabilities.has('IDLE') ? 'idle' : 'poll'
  const lock = await client.getMailboxLock(folder, { readOnly: true })
  let isStopped = false
  let wake: (() => void) | null = null
  const handlers = {
    exists: () => options.onChange({ folder, kind: 'exists' }),
    expunge: () => options.onChange({ folder, kind: 'expunge' }),
    flags: () => options.onChange({ folder, kind: 'flags' }),
  }
  for (const [name, handler] of Object.entries(handlers)) client.on(name, handler)
  const pollMs = options.pollMs ?? limits.mailWatchPollMs
  const idleMs = options.idleMs ?? limits.mailWatchIdleMs

  const loop = (async () => {
    try {
      while (!isStopped) {
        if (mode === 'idle') {
          // idle() returns when another command breaks it (stop) or after idleMs (renewal).
          const renew = setTimeout(() => void client.noop().catch(() => undefined), idleMs)
          try {
            await client.idle()
          } finally {
            clearTimeout(renew)
          }
        } else {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pollMs)
            wake = () => (clearTimeout(timer), resolve())
          })
          wake = null
          if (!isStopped) await client.noop()
        }
      }
    } catch (error) {
      if (!isStopped) options.onError?.(error)
    }
  })()

  return {
    mode,
    async stop() {
      if (isStopped) return
      isStopped = true
      for (const [name, handler] of Object.entries(handlers)) client.off(name, handler)
      if (mode === 'idle') await client.noop().catch(() => undefined)
      else (wake as (() => void) | null)?.()
      await loop
      lock.release()
    },
  }
}
