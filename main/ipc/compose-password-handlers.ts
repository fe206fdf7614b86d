import { randomUUID } from 'node:crypto'
import { passwordLetterPdf } from '../core/container/password-letter.ts'
import { SiegelpostError } from '../core/errors/index.ts'
import { limits } from '../core/limits.ts'
import { saveChosenFile } from './consent-handlers.ts'
import type { Handlers } from './dispatch.ts'
import type { RegistryDeps } from './handler-deps.ts'

interface Kept {
  recipient: string
  from: string
  sentAt: Date
  password: string
  isShown: boolean
}

/**
 * The passwords generated for a send's container copies, kept in main's memory only (never in the draft, a
 * log or the Outbox) from the send until the sender has passed them on: shown once, copied to the clipboard
 * (taken off again after a while), printed as a letter, then forgotten. A restart forgets them all.
 */
export class GeneratedPasswords {
  private readonly kept = new Map<string, Kept>()

  keep(entry: Omit<Kept, 'isShown'>): string {
    while (this.kept.size >= limits.containerPasswordsKeptMax) this.forget(this.kept.keys().next().value!)
    const id = randomUUID()
    this.kept.set(id, { ...entry, isShown: false })
    return id
  }

  get(id: string): Kept {
    const entry = this.kept.get(id)
    if (!entry) throw new SiegelpostError('COMPOSE_PASSWORD_GONE')
    return entry
  }

  forget(id: string): void {
    this.kept.delete(id)
  }
}

type PasswordChannel =
  'compose:password-show' | 'compose:password-copy' | 'compose:password-letter' | 'compose:password-forget'

const fileSafe = (text: string) => text.replace(/[^a-zA-Z0-9.@_-]+/g, '_')

export function composePasswordHandlers(deps: RegistryDeps, kept: GeneratedPasswords): Pick<Handlers, PasswordChannel> {
  return {
    'compose:password-show': async ({ passwordId }) => {
      const entry = kept.get(passwordId)
      if (entry.isShown) throw new SiegelpostError('COMPOSE_PASSWORD_GONE')
      entry.isShown = true
      return { recipient: entry.recipient, password: entry.password }
    },
    'compose:password-copy': async ({ passwordId }) => {
      const { password } = kept.get(passwordId)
      await deps.writeClipboard(password)
      const after = deps.clipboardClearMs ?? limits.containerPasswordClipboardMs
      // Only while the clipboard still holds this password: something the user copied since stays.
      const timer = setTimeout(() => void deps.clearClipboard?.(password).catch(() => undefined), after)
      timer.unref?.()
      return { clearsAfterSeconds: Math.round(after / 1000) }
    },
    'compose:password-letter': async ({ passwordId }) => {
      const entry = kept.get(passwordId)
      const day = entry.sentAt.toISOString().slice(0, 10)
      return saveChosenFile(
        deps,
        { suggestedName: `Passwortbrief-${fileSafe(entry.recipient)}-${day}.pdf`, kind: 'password-letter' },
        () => passwordLetterPdf(entry, deps.now()),
      )
    },
    'compose:password-forget': async ({ passwordId }) => (kept.forget(passwordId), {}),
  }
}
