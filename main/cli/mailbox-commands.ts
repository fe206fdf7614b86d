import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SiegelpostError } from '../core/errors/index.ts'
import { deleteMessage, moveMessage, setFlag, type FlagChange, type MailboxServer } from '../core/mailbox/actions.ts'
import { MailStore, mailStoreFileName, type EnvelopeRow } from '../core/mailbox/mail-store.ts'
import { pendingMarksOf } from '../core/mailbox/pending-marks.ts'
import { isBusy } from '../core/store/busy.ts'
import { syncAccount } from '../core/mailbox/sync-account.ts'
import type { FolderSyncResult, SyncProgress } from '../core/mailbox/sync.ts'
import { openMessage, type OpenResult } from '../core/message/open.ts'
import { messageTechnologies } from '../core/message/technologies.ts'
import { networkPolicyFrom } from '../core/network-policy.ts'
import { httpRevocationFetchers } from '../core/smime/revocation-http.ts'
import type { Account } from '../core/transport/account.ts'
import { listFolders, openImap, type ImapSession } from '../core/transport/imap-session.ts'
import { exitCodes, print, printJson, type CommandContext, type Command } from './command.ts'
import { attachmentSaver } from './attachment-files.ts'
import { accountStore, requireString } from './transport-commands.ts'
import type { WorkerPurpose } from '../core/message/technology.ts'

async function withStore<T>(context: CommandContext, use: (store: MailStore) => Promise<T>): Promise<T> {
  const key = (await context.vault()).deriveKey('messages')
  let store: MailStore | null = null
  try {
    store = new MailStore(context.profileDir, key)
    return await use(store)
  } catch (error) {
    // A write that waited the connection's whole busy timeout for another process: coded, never a raw SQLite error.
    if (isBusy(error)) {
      const path = join(context.profileDir, mailStoreFileName)
      throw new SiegelpostError('STORE_BUSY', { path }, { cause: error })
    }
    throw error
  } finally {
    store?.close()
  }
}

async function serverOf(context: CommandContext, name: string): Promise<MailboxServer> {
  const accounts = await accountStore(context)
  const account = await accounts.get(name)
  return { account, password: await accounts.password(account) }
}

const tlsOf = (session: ImapSession) => ({ version: session.tls.version, cipher: session.tls.cipher })

/** `fetch --list-folders`: the folders (IMAP LIST) with their roles; nothing is stored. */
async function printFolders(context: CommandContext, account: Account, session: ImapSession): Promise<number> {
  const { io, lang, values } = context
  const folders = await listFolders(session, account)
  if (values.json) printJson(io, { account: account.name, tls: tlsOf(session), folders })
  else
    for (const f of folders)
      print(
        io,
        `${f.path}${f.specialUse ? `  ${f.specialUse}` : ''}${f.selectable ? '' : lang === 'de' ? '  (nur Container)' : '  (container only)'}`,
      )
  return exitCodes.ok
}

/** Progress on stderr only for a terminal or with --progress: stdout stays the --json contract. */
function progressOf(context: CommandContext): ((progress: SyncProgress) => void) | undefined {
  if (context.values.progress !== true && context.io.isStderrTty !== true) return undefined
  let lastTenth = -1
  return ({ folder, phase, done, total }) => {
    if (phase !== 'fetch' || total === 0) return
    const tenth = Math.floor((10 * done) / total)
    if (tenth === lastTenth) return
    lastTenth = tenth
    context.io.stderr(`siegelpost: ${folder} ${done} / ${total}\n`)
  }
}

function folderJson(account: Account, tls: { version: string; cipher: string }, result: FolderSyncResult) {
  return {
    account: account.name,
    folder: result.folder,
    tls,
    stored: result.stored,
    skippedTooLarge: result.skippedTooLarge,
    new: result.stored.length,
    changed: result.changed,
    removed: result.removed,
    total: result.total,
  }
}

function folderLine(result: FolderSyncResult, lang: CommandContext['lang']): string {
  return lang === 'de'
    ? `${result.folder}: ${result.stored.length} neu, ${result.changed} geändert, ${result.removed} entfernt, ${result.total} gespeichert${result.skippedTooLarge.length ? `, ${result.skippedTooLarge.length} zu groß` : ''}`
    : `${result.folder}: ${result.stored.length} new, ${result.changed} changed, ${result.removed} removed, ${result.total} stored${result.skippedTooLarge.length ? `, ${result.skippedTooLarge.length} too large` : ''}`
}

async function runFetch(context: CommandContext): Promise<number> {
  const { io, lang, values } = context
  const exclusive = ['folder', 'all-folders', 'list-folders'].filter(
    (name) => values[name] !== undefined && values[name] !== false,
  )
  if (exclusive.length > 1)
    throw new SiegelpostError('USAGE_UNEXPECTED_ARGUMENT', {
      argument: `--${exclusive[1]}`,
      command: `fetch --${exclusive[0]}`,
    })
  const server = await serverOf(context, requireString(values, 'account', 'fetch'))
  if (values['list-folders']) {
    const session = await openImap(server.account, server.password)
    try {
      return await printFolders(context, server.account, session)
    } finally {
      await session.client.logout().catch(() => session.client.close())
    }
  }
  const isAll = values['all-folders'] === true
  return withStore(context, async (store) => {
    const folders = isAll ? null : [typeof values.folder === 'string' ? values.folder : 'INBOX']
    const synced = await syncAccount(server, store, folders, {
      now: io.now,
      onProgress: progressOf(context),
      ...(io.startWorker ? { startStoreWriter: () => io.startWorker!('mail-store') } : {}),
    })
    const tls = { version: synced.tls.version, cipher: synced.tls.cipher }
    if (!isAll) {
      const only = synced.folders[0]!
      if (!only.ok) throw only.error
      if (values.json) printJson(io, folderJson(server.account, tls, only.result))
      else print(io, folderLine(only.result, lang))
      return exitCodes.ok
    }
    const out = synced.folders.map((outcome) => {
      if (outcome.ok) {
        if (!values.json) print(io, folderLine(outcome.result, lang))
        return { name: outcome.folder, ...folderJson(server.account, tls, outcome.result) }
      }
      io.stderr(`siegelpost: ${outcome.error.localized(lang)}\n`)
      return {
        name: outcome.folder,
        account: server.account.name,
        folder: outcome.folder,
        errorCode: outcome.error.code,
        error: outcome.error.localized(lang),
      }
    })
    if (values.json) printJson(io, { account: server.account.name, tls, folders: out })
    return synced.folders.every((outcome) => outcome.ok) ? exitCodes.ok : exitCodes.failure
  })
}

/** The `mail list --json` row of CLI.md (the protected subject, once known, is the subject shown). */
export function listJson(row: EnvelopeRow) {
  return {
    id: row.id,
    account: row.account,
    folder: row.folder,
    from: row.from,
    to: row.to,
    subject: row.protectedSubject ?? row.subject,
    date: row.date,
    size: row.size,
    flags: row.flags,
    protection: row.protection,
  }
}

function requireRow(store: MailStore, id: string): EnvelopeRow {
  const row = store.get(id)
  if (!row) throw new SiegelpostError('MAIL_NOT_FOUND', { id })
  return row
}

async function runShow(context: CommandContext): Promise<number> {
  const { io, lang, values, operands } = context
  const id = operands[0]!
  const opened = await context.vault()
  return withStore(context, async (store) => {
    const row = requireRow(store, id)
    const raw = store.raw(id)
    if (!raw) throw new SiegelpostError('STORE_DAMAGED', { path: store.path, reason: `message ${id}` })
    // The same function `open FILE.eml` uses: one verdict for a file and for stored mail; attachments are
    // written in the pass that computes their SHA-256 for the document (decoded once).
    const saveDir = typeof values['save-attachments'] === 'string' ? values['save-attachments'] : null
    const saver = saveDir === null ? null : attachmentSaver(saveDir)
    const result: OpenResult = await openMessage(raw, messageTechnologies, {
      ...(saver ? { attachmentSink: (a, chunks) => saver.save(a.filename, a.index, chunks) } : {}),
      keys: opened.contents.keys,
      now: io.now(),
      streaming: {
        tempDir: io.tempDir ?? tmpdir(),
        onProgress: () => undefined,
        ...(io.startWorker
          ? {
              startWorker: (name: 'openpgp' | 'smime' = 'openpgp', purpose?: WorkerPurpose) =>
                io.startWorker!(name, purpose),
            }
          : {}),
      },
      revocation: httpRevocationFetchers({ policy: networkPolicyFrom(io.env) }),
    })
    const { document } = result
    try {
      // The folder exists after a successful open even when there was nothing to save.
      if (saveDir !== null) await mkdir(saveDir, { recursive: true })
    } finally {
      result.dispose()
    }
    if (values.json) return (printJson(io, { ...document, id, folder: row.folder, flags: row.flags }), exitCodes.ok)
    const de = lang === 'de'
    const { encryption, signature } = document.security
    print(
      io,
      `${de ? 'Von' : 'From'}: ${document.headers.from}\n${de ? 'Betreff' : 'Subject'}: ${document.headers.subject}\n${de ? 'Ordner' : 'Folder'}: ${row.folder}  [${row.flags.join(' ')}]`,
    )
    print(
      io,
      `${de ? 'Verschlüsselung' : 'Encryption'}: ${encryption.state}${encryption.reason ? ` – ${encryption.reason}` : ''}`,
    )
    print(
      io,
      `${de ? 'Signatur' : 'Signature'}: ${signature.state}${signature.signer ? ` (${signature.signer}, ${signature.acceptance})` : ''}${signature.reason ? ` – ${signature.reason}` : ''}`,
    )
    print(io, `\n${document.text}`)
    for (const attachment of document.attachments)
      print(io, `[${attachment.filename}, ${attachment.contentType}, ${attachment.size} B]`)
    return exitCodes.ok
  })
}

/** Runs a server action on a stored message (the account is the one the message was synced from). */
async function onServer<T>(
  context: CommandContext,
  use: (server: MailboxServer, store: MailStore, id: string) => Promise<T>,
): Promise<T> {
  const id = context.operands[0]!
  return withStore(context, async (store) => use(await serverOf(context, requireRow(store, id).account), store, id))
}

const flagOptions = ['seen', 'unseen', 'flagged', 'unflagged'] as const

export const mailboxCommands: readonly Command[] = [
  {
    words: ['fetch'],
    usage: 'fetch --account NAME [--folder F | --all-folders | --list-folders] [--json] [--progress]',
    summary: {
      de: 'Ordner per IMAP (nur TLS) abgleichen: neue Nachrichten, Markierungen, Löschungen; --list-folders zeigt die Ordner',
      en: 'sync folders over IMAP (TLS only): new messages, flags, expunges; --list-folders shows the folders',
    },
    options: {
      account: { type: 'string' },
      folder: { type: 'string' },
      'all-folders': { type: 'boolean' },
      'list-folders': { type: 'boolean' },
      json: { type: 'boolean' },
      progress: { type: 'boolean' },
    },
    run: runFetch,
  },
  {
    words: ['mail', 'list'],
    usage: 'mail list [--account NAME] [--folder F] [--search TEXT] [--json]',
    summary: {
      de: 'gespeicherte Nachrichten auflisten, neueste zuerst (ohne Server)',
      en: 'list stored messages, newest first (no server needed)',
    },
    options: {
      account: { type: 'string' },
      folder: { type: 'string' },
      search: { type: 'string' },
      json: { type: 'boolean' },
    },
    async run(context) {
      const { io, lang, values } = context
      const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined)
      return withStore(context, async (store) => {
        const rows = store.list({ account: str('account'), folder: str('folder'), search: str('search') }).map(listJson)
        if (values.json) printJson(io, rows)
        else if (rows.length === 0) print(io, lang === 'de' ? 'Keine Nachrichten.' : 'No messages.')
        else
          for (const r of rows)
            print(
              io,
              `${r.id}  ${r.date.slice(0, 16).replace('T', ' ')}  ${r.flags.includes('\\Seen') ? ' ' : '*'} ${r.from}  ${r.subject}  [${r.protection.encryption}/${r.protection.signature}]`,
            )
        return exitCodes.ok
      })
    },
  },
  {
    words: ['mail', 'show'],
    usage: 'mail show ID [--json] [--save-attachments DIR]',
    summary: {
      de: 'gespeicherte Nachricht öffnen wie „open“ (entschlüsseln, Signatur prüfen)',
      en: 'open a stored message like "open" (decrypt, check the signature)',
    },
    options: { json: { type: 'boolean' }, 'save-attachments': { type: 'string' } },
    operands: [1, 1],
    run: runShow,
  },
  {
    words: ['mail', 'flag'],
    usage: 'mail flag ID (--seen | --unseen | --flagged | --unflagged) [--json]',
    summary: {
      de: 'als gelesen/ungelesen markieren oder kennzeichnen (erst auf dem Server, dann lokal)',
      en: 'mark read/unread or flag (on the server first, then locally)',
    },
    options: {
      seen: { type: 'boolean' },
      unseen: { type: 'boolean' },
      flagged: { type: 'boolean' },
      unflagged: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    operands: [1, 1],
    async run(context) {
      const chosen = flagOptions.filter((name) => context.values[name] === true)
      if (chosen.length === 0)
        throw new SiegelpostError('USAGE_MISSING_OPTION', {
          command: 'mail flag',
          option: '--seen | --unseen | --flagged | --unflagged',
        })
      if (chosen.length > 1)
        throw new SiegelpostError('USAGE_UNEXPECTED_ARGUMENT', {
          argument: `--${chosen[1]}`,
          command: `mail flag --${chosen[0]}`,
        })
      const change = chosen[0] as FlagChange
      const row = await onServer(context, async (server, store, id) => {
        const marked = await setFlag(server, store, id, change)
        // Written now: a change of the same mark the window queued offline is void (a later flush must not undo this).
        // The server has it, so a store busy past its retries never makes this a failure.
        await pendingMarksOf(store)
          .add(marked, change)
          .catch(() => undefined)
        return marked
      })
      if (context.values.json) printJson(context.io, listJson(row))
      else print(context.io, `${row.id}  [${row.flags.join(' ')}]`)
      return exitCodes.ok
    },
  },
  {
    words: ['mail', 'move'],
    usage: 'mail move ID --to FOLDER [--json]',
    summary: {
      de: 'Nachricht in einen anderen Ordner verschieben (erst auf dem Server, dann lokal)',
      en: 'move a message to another folder (on the server first, then locally)',
    },
    options: { to: { type: 'string' }, json: { type: 'boolean' } },
    operands: [1, 1],
    async run(context) {
      const target = requireString(context.values, 'to', 'mail move')
      const moved = await onServer(context, async (server, store, id) => {
        const result = await moveMessage(server, store, id, target)
        // Moved now: a move to Trash the window queued offline is void; its read and flag marks still wait.
        await pendingMarksOf(store)
          .drop(id, 'trash', true)
          .catch(() => undefined)
        return result
      })
      if (context.values.json) printJson(context.io, { id: context.operands[0], ...moved })
      else
        print(context.io, context.lang === 'de' ? `Verschoben nach „${moved.folder}“.` : `Moved to "${moved.folder}".`)
      return exitCodes.ok
    },
  },
  {
    words: ['mail', 'delete'],
    usage: 'mail delete ID [--json]',
    summary: {
      de: 'Nachricht in den Papierkorb legen (im Papierkorb: endgültig löschen)',
      en: 'move a message to Trash (in Trash: delete for good)',
    },
    options: { json: { type: 'boolean' } },
    operands: [1, 1],
    async run(context) {
      const { folder } = await onServer(context, async (server, store, id) => {
        const result = await deleteMessage(server, store, id)
        // In Trash now (a queued move there is done), or deleted for good (nothing of it waits any more).
        await pendingMarksOf(store)
          .drop(id, result.folder === null ? undefined : 'trash', true)
          .catch(() => undefined)
        return result
      })
      if (context.values.json) printJson(context.io, { id: context.operands[0], folder })
      else
        print(
          context.io,
          folder
            ? context.lang === 'de'
              ? `In den Papierkorb „${folder}“ gelegt.`
              : `Moved to Trash "${folder}".`
            : context.lang === 'de'
              ? 'Endgültig gelöscht.'
              : 'Deleted for good.',
        )
      return exitCodes.ok
    },
  },
]
