import { open } from 'node:fs/promises'
import { SiegelpostError } from '../errors/index.ts'
import { limits } from '../limits.ts'
import { checkInputFile } from '../secret-file.ts'
import { evaluatePolicy, targetMatches, unknownPosture, type DomainPosture } from '../policy/evaluate.ts'
import type { PolicySettings } from '../policy/policy-settings.ts'
import type { Account } from './account.ts'
import { readMessageHeaders } from './message-headers.ts'
import { outgoingMessage } from './outgoing-message.ts'
import type { Outbox, OutboxMessage, OutboxOutcome, Reason } from './outbox.ts'
import { MaybeSentError, NotSentError } from './smtp-errors.ts'

/**
 * `send`: every message becomes a new Outbox entry and is tried at once. The Outbox state is committed
 * at each step, so a crash at any point leaves the mail in the Outbox (queued, held or possibly sent).
 * SMTP never waits on IMAP: the Sent copy is appended only after `sent`, and a failed APPEND is
 * recorded on the entry, not a reason to hold or re-send.
 */
export interface SendDeps {
  outbox: Outbox
  account: (name: string) => Promise<Account>
  password: (account: Account) => Promise<string>
  policy: () => Promise<PolicySettings>
  /** The recipient domain's posture (check-domain); asked only for recipients under a mta-sts-or-dane rule. */
  checkPosture?: (domain: string) => Promise<DomainPosture>
  /**
   * The Sent copy's IMAP APPEND, fed record by record from the Outbox's sealed file (imap-append.ts). With
   * `unlessPresent` (a retry) the Sent folder is searched for that Message-ID first and nothing is appended
   * when it is there.
   */
  appendSent: (
    account: Account,
    password: string,
    message: OutboxMessage,
    options?: AppendOptions,
  ) => Promise<{ folder: string }>
  now: () => Date
}

export interface AppendOptions {
  /** The Message-ID (with or without angle brackets) to look for in Sent before appending. */
  unlessPresent?: string
}

export interface SendOutcome {
  outboxId: string
  state: 'sent' | 'held'
  reason: Reason | null
  tls: { version: string; requiretls: boolean } | null
  append: OutboxOutcome['append']
}

export async function enqueueAndSend(
  deps: SendDeps,
  raw: Buffer,
  path: string,
  accountName: string,
): Promise<SendOutcome> {
  const headers = readMessageHeaders(raw, path)
  await deps.account(accountName) // an unknown account is a usage error, not an Outbox entry
  const id = deps.outbox.create({ account: accountName, ...headers }, raw)
  return attempt(deps, id)
}

/** How much of a message file is read for its headers (readMessageHeaders looks at no more). */
const headerBytes = 256 * 1024

/**
 * `send FILE`: the same as enqueueAndSend for a message file, read into the Outbox's sealed file in chunks
 * (never held whole); over the message limit, or a file that grows past it while being read, is refused.
 */
export async function enqueueFileAndSend(deps: SendDeps, path: string, accountName: string): Promise<SendOutcome> {
  const size = await checkInputFile(path, limits.messageMaxBytes)
  const unreadable = (error: unknown) =>
    error instanceof SiegelpostError
      ? error
      : new SiegelpostError('FILE_UNREADABLE', { path, reason: (error as NodeJS.ErrnoException).code ?? 'I/O' })
  const file = await open(path, 'r').catch((error: unknown) => Promise.reject(unreadable(error)))
  try {
    const head = Buffer.alloc(Math.min(size, headerBytes))
    const { bytesRead } = await file.read(head, 0, head.length, 0).catch((e: unknown) => Promise.reject(unreadable(e)))
    const headers = readMessageHeaders(head.subarray(0, bytesRead), path)
    await deps.account(accountName) // an unknown account is a usage error, not an Outbox entry
    async function* chunks() {
      let at = 0
      for (;;) {
        const chunk = Buffer.allocUnsafe(limits.outboxChunkBytes)
        const { bytesRead: got } = await file.read(chunk, 0, chunk.length, at).catch((e: unknown) => {
          throw unreadable(e)
        })
        if (got === 0) return
        at += got
        if (at > limits.messageMaxBytes)
          throw new SiegelpostError('FILE_TOO_LARGE', { path, limit: `${limits.messageMaxBytes / 1024 / 1024} MiB` })
        yield chunk.subarray(0, got)
      }
    }
    const id = await deps.outbox.createFrom({ account: accountName, ...headers }, chunks())
    return await attempt(deps, id)
  } finally {
    await file.close()
  }
}

/** Postures of the recipient domains that a `mta-sts-or-dane` rule covers (only those are asked). */
export async function posturesFor(
  settings: PolicySettings,
  recipients: readonly string[],
  check: ((domain: string) => Promise<DomainPosture>) | undefined,
): Promise<Map<string, DomainPosture>> {
  const postures = new Map<string, DomainPosture>()
  for (const recipient of recipients) {
    const domain = recipient.slice(recipient.lastIndexOf('@') + 1).toLowerCase()
    const ruled = settings.rules.some(
      (rule) => rule.require === 'mta-sts-or-dane' && targetMatches(rule.target, recipient),
    )
    if (ruled && check && !postures.has(domain)) postures.set(domain, await check(domain).catch(() => unknownPosture))
  }
  return postures
}

const reasonOf = (error: SiegelpostError): Reason => ({ code: error.code, params: error.params })

/**
 * Appends a group's one Sent item, once: claimed by one process, recorded after. Returns the group's
 * append outcome (null while it is not done, e.g. another process is appending).
 */
export async function appendGroupSentItem(
  deps: SendDeps,
  groupId: string,
  account: Account,
  password: string,
): Promise<OutboxOutcome['append']> {
  const item = deps.outbox.claimSentItemOf(groupId)
  if (item === null) return deps.outbox.group(groupId).sentItem.append
  let append: NonNullable<OutboxOutcome['append']>
  try {
    // A retry: the failed try may have reached the server (the answer got lost), so Sent is asked first.
    const [first] = deps.outbox.group(groupId).entries
    const options = item.isRetry && first ? { unlessPresent: deps.outbox.get(first).envelope.messageId } : {}
    const { folder } = await deps.appendSent(account, password, item.message, options)
    append = { state: 'ok', detail: folder }
  } catch (error) {
    append = { state: 'failed', detail: error instanceof SiegelpostError ? error.code : 'error' }
  }
  deps.outbox.recordSentItem(groupId, append)
  return append
}

export interface AttemptOptions {
  /** A copy of a group sent with its siblings: the group's one Sent item is appended by sendGroup (send-group.ts). */
  deferSentItem?: boolean
}

/**
 * Try one entry (claimed by us). Never throws for a transport problem: those end as `held` with a reason.
 * A copy of a group gets no Sent copy of its own: the group's one Sent item is appended instead.
 */
export async function attempt(deps: SendDeps, id: string, options: AttemptOptions = {}): Promise<SendOutcome> {
  const { outbox } = deps
  if (!outbox.claim(id)) throw new SiegelpostError('OUTBOX_WRONG_STATE', { id, state: 'sending' })
  const entry = outbox.get(id)
  const held = (reason: Reason): SendOutcome => {
    outbox.markHeld(id, reason)
    return { outboxId: id, state: 'held', reason, tls: null, append: null }
  }
  let account: Account
  let password: string
  try {
    account = await deps.account(entry.envelope.account)
    password = await deps.password(account)
  } catch (error) {
    if (error instanceof SiegelpostError) return held(reasonOf(error))
    throw error
  }
  const settings = await deps.policy()
  const postures = await posturesFor(settings, entry.envelope.recipients, deps.checkPosture)
  const decide = (offers: boolean | null) =>
    evaluatePolicy({
      settings,
      submissionHost: account.smtp.host,
      recipients: entry.envelope.recipients,
      isEndToEnd: entry.envelope.isEndToEnd,
      serverOffersRequireTls: offers,
      posture: (domain) => postures.get(domain) ?? unknownPosture,
      now: deps.now(),
    })
  // Before connecting: rules that do not depend on the server (E2E required, domain posture).
  const early = decide(null)
  if (early.held) return held(early.held)

  // Streamed from its sealed file, never held whole: into SMTP, and a mail sent on its own into its Sent copy.
  // The SMTP client (nodemailer, ~20 MiB) loads only now: not beside the vault's scrypt (128 MiB) at start-up.
  const { submit } = await import('./smtp-submit.ts')
  let transferStarted = false
  try {
    const message = await outgoingMessage(outbox.messageOf(id))
    const result = await submit({
      account,
      password,
      envelope: { from: entry.envelope.from, to: entry.envelope.recipients },
      message,
      decideRequireTls: (offers) => {
        const decision = decide(offers)
        if (decision.held) throw new SiegelpostError(decision.held.code, decision.held.params)
        return decision.requestRequireTls
      },
      onTransfer: async () => {
        outbox.markSending(id)
        transferStarted = true
      },
    })
    const tls = { version: result.tls.version, cipher: result.tls.cipher, requiretls: result.requireTls }
    // Refused recipients are not silently dropped: the entry says who did not get it.
    const partial: Reason | null =
      result.rejected.length > 0
        ? {
            code: 'SMTP_RECIPIENTS_REFUSED',
            params: { host: account.smtp.host, recipients: result.rejected.join(', ') },
          }
        : null
    outbox.markSent(id, tls, partial ? { rejected: result.rejected, reason: partial } : null)
    const sent = {
      outboxId: id,
      state: 'sent' as const,
      reason: partial,
      tls: { version: tls.version, requiretls: tls.requiretls },
    }
    if (entry.groupId !== null) {
      const groupAppend = options.deferSentItem
        ? null
        : await appendGroupSentItem(deps, entry.groupId, account, password)
      return { ...sent, append: groupAppend }
    }
    let append: OutboxOutcome['append']
    try {
      const { folder } = await deps.appendSent(account, password, outbox.messageOf(id))
      append = { state: 'ok', detail: folder }
    } catch (error) {
      append = { state: 'failed', detail: error instanceof SiegelpostError ? error.code : 'error' }
    }
    outbox.recordAppend(id, append)
    return { ...sent, append }
  } catch (error) {
    if (error instanceof NotSentError) return held(reasonOf(error.reason))
    if (error instanceof MaybeSentError || transferStarted)
      return held({ code: 'OUTBOX_POSSIBLY_SENT', params: { id } })
    if (error instanceof SiegelpostError) return held(reasonOf(error))
    throw error
  }
}
