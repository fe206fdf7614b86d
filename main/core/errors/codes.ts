import type { ErrorEntry } from './codes/entry.ts'
import { generalCodes } from './codes/general.ts'
import { keysCodes } from './codes/keys.ts'
import { openpgpCodes } from './codes/openpgp.ts'
import { messageCodes } from './codes/message.ts'
import { smimeCodes } from './codes/smime.ts'
import { transportCodes } from './codes/transport.ts'
import { policyCodes } from './codes/policy.ts'
import { ipcCodes } from './codes/ipc.ts'
import { storeCodes } from './codes/store.ts'
import { containerCodes } from './codes/container.ts'
import { composeCodes } from './codes/compose.ts'
import { verdictCodes } from './codes/verdict.ts'
import { mailboxCodes } from './codes/mailbox.ts'
import { readingCodes } from './codes/reading.ts'
import { composerCodes } from './codes/composer.ts'
import { replyCodes } from './codes/reply.ts'
import { limitsCodes } from './codes/limits.ts'

export type { ErrorEntry, ErrorKind } from './codes/entry.ts'

/**
 * The one table of user-visible errors: code → kind + German and English text with the fix.
 * `user`: the user can fix it (the text says how). `remote`: a server or peer misbehaved.
 * `bug`: our fault; the only kind that is a crash-report matter.
 * Placeholders `{name}` are filled from the error's params (never with secrets).
 */
export const errorTable = {
  ...generalCodes,
  ...keysCodes,
  ...openpgpCodes,
  ...messageCodes,
  ...smimeCodes,
  ...transportCodes,
  ...policyCodes,
  ...storeCodes,
  ...containerCodes,
  ...verdictCodes,
  ...mailboxCodes,
  ...ipcCodes,
  ...composeCodes,
  ...readingCodes,
  ...composerCodes,
  ...replyCodes,
  ...limitsCodes,
} as const satisfies Record<string, ErrorEntry>

export type ErrorCode = keyof typeof errorTable
