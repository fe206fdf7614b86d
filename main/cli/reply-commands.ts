import { existsSync } from 'node:fs'
import { SiegelpostError } from '../core/errors/index.ts'
import { limits } from '../core/limits.ts'
import { MailStore } from '../core/mailbox/mail-store.ts'
import { isAddress } from '../core/message/addresses.ts'
import type { MessagePlan } from '../core/message/recipient-plan.ts'
import { buildReply, recipientsWithoutEndToEnd, type ReplyDraft, type ReplyKind } from '../core/message/reply.ts'
import { messageTechnologies } from '../core/message/technologies.ts'
import { parseMime } from '../core/mime/parse.ts'
import { networkPolicyFrom } from '../core/network-policy.ts'
import { openForReading } from '../core/reading/open-for-reading.ts'
import { checkInputFile, readLimitedFile } from '../core/secret-file.ts'
import { httpRevocationFetchers } from '../core/smime/revocation-http.ts'
import { passwordFor } from './container-commands.ts'
import { runPlannedCompose } from './compose-send.ts'
import type { Command, CommandContext } from './command.ts'
import { accountStore } from './transport-commands.ts'

const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []

/** The original: a file when the operand names one, else a stored message's id (with the account it came in). */
async function originalOf(context: CommandContext): Promise<{ bytes: Uint8Array; account: string | null }> {
  const operand = context.operands[0]!
  if (existsSync(operand) || /\.eml$/i.test(operand)) {
    await checkInputFile(operand, limits.messageMaxBytes)
    return { bytes: await readLimitedFile(operand, limits.messageMaxBytes), account: null }
  }
  const store = new MailStore(context.profileDir, (await context.vault()).deriveKey('messages'))
  try {
    const row = store.get(operand)
    if (!row) throw new SiegelpostError('MAIL_NOT_FOUND', { id: operand })
    const raw = store.raw(operand)
    if (!raw) throw new SiegelpostError('STORE_DAMAGED', { path: store.path, reason: `message ${operand}` })
    return { bytes: raw, account: row.account }
  } finally {
    store.close()
  }
}

/** What the --json document says of the reply: recipients, thread, Reply-To, and who got the quote. */
function describeReply(kind: ReplyKind, draft: ReplyDraft, plan: MessagePlan, attachments: string[]) {
  const isEndToEnd = (protection: string) => protection === 'smime' || protection === 'openpgp'
  const sent = plan.recipients.filter((r) => r.protection !== 'blocked')
  const withQuote = sent.filter((r) => !draft.content.isEndToEndOnly || isEndToEnd(r.protection))
  return {
    reply: {
      kind,
      to: draft.to,
      cc: draft.cc,
      subject: draft.subject,
      inReplyTo: draft.inReplyTo,
      references: draft.references,
      replyTo: draft.replyTo,
      quote: {
        endToEndOnly: draft.content.isEndToEndOnly,
        quotedFor: withQuote.map((r) => r.address),
        noteFor: sent.filter((r) => !withQuote.includes(r)).map((r) => r.address),
        htmlLeftOut: draft.isHtmlLeftOut,
      },
      attachments,
    },
  }
}

async function runReply(context: CommandContext, kind: ReplyKind): Promise<number> {
  const { io, lang, values } = context
  const command = kind === 'forward' ? 'forward' : 'reply'
  if (kind !== 'forward' && typeof values['body-file'] !== 'string')
    throw new SiegelpostError('USAGE_MISSING_OPTION', { command, option: '--body-file F' })
  if (values.send && typeof values.out === 'string')
    throw new SiegelpostError('USAGE_UNEXPECTED_ARGUMENT', { argument: '--out', command: `${command} --send` })
  if (values.send && typeof values.account !== 'string')
    throw new SiegelpostError('USAGE_MISSING_OPTION', { command: `${command} --send`, option: '--account NAME' })
  if (!values.send && typeof values.out !== 'string')
    throw new SiegelpostError('USAGE_MISSING_OPTION', { command, option: '--out FILE.eml | --send --account NAME' })
  const forwardTo = list(values.to).map((a) => a.trim().toLowerCase())
  if (kind === 'forward' && forwardTo.length === 0)
    throw new SiegelpostError('USAGE_MISSING_OPTION', { command, option: '--to ADDR' })
  const body =
    typeof values['body-file'] === 'string'
      ? new TextDecoder().decode(await readLimitedFile(values['body-file'], limits.attachmentMaxBytes))
      : ''

  const original = await originalOf(context)
  const vault = await context.vault()
  const keys = vault.contents.keys
  const now = io.now()
  const reading = await openForReading(original.bytes, {
    technologies: messageTechnologies,
    context: { keys, now, lang, revocation: httpRevocationFetchers({ policy: networkPolicyFrom(io.env) }) },
    senders: [],
    requiresTls: () => false,
  })
  try {
    if (kind === 'forward' && reading.document.security.encryption.state === 'failed')
      throw new SiegelpostError('REPLY_ORIGINAL_NOT_OPENED')
    const ownAddresses = [...new Set(keys.filter((k) => k.hasSecret).flatMap((k) => k.emails))]
    // The sender: --from, the account's address, the account the stored message came in, else the one
    // own address the original was sent to.
    const accountName = typeof values.account === 'string' ? values.account : original.account
    let from = typeof values.from === 'string' ? values.from.trim().toLowerCase() : null
    if (from === null && accountName !== null) from = (await (await accountStore(context)).get(accountName)).email
    if (from === null) {
      const { to, cc } = reading.document.headers
      const mine = [...to, ...(cc ?? [])].filter((a) => ownAddresses.includes(a.toLowerCase()))
      if (new Set(mine).size === 1) from = mine[0]!.toLowerCase()
    }
    if (from === null) throw new SiegelpostError('REPLY_FROM_UNKNOWN')
    from = from.toLowerCase()
    if (!isAddress(from)) throw new SiegelpostError('MESSAGE_BAD_ADDRESS', { address: from })

    const root = parseMime(original.bytes)
    const draft = buildReply(reading, root, {
      kind,
      from,
      ownAddresses,
      toReplyTo: values['to-reply-to'] === true,
      forwardTo,
      lang,
    })
    if (draft.replyTo.differsFromFrom && !draft.replyTo.isUsed && kind !== 'forward') {
      const addresses = draft.replyTo.addresses.join(', ')
      io.stderr(
        lang === 'de'
          ? `siegelpost: Hinweis: Die Antwortadresse (Reply-To: ${addresses}) ist nicht der Absender; ` +
              'die Antwort geht an den Absender. An die Antwortadresse nur mit --to-reply-to.\n'
          : `siegelpost: note: the reply address (Reply-To: ${addresses}) is not the sender; ` +
              'the reply goes to the sender. To the reply address only with --to-reply-to.\n',
      )
    }
    if (draft.isHtmlLeftOut)
      io.stderr(
        lang === 'de'
          ? 'siegelpost: Hinweis: Ein HTML-Teil der Nachricht verbirgt Text auf eine Weise, ' +
              'die sich nicht sicher erkennen lässt; er wird nicht zitiert.\n'
          : 'siegelpost: note: an HTML part of the message hides text in a way that cannot be told for sure; ' +
              'it is not quoted.\n',
      )
    const documentAttachments = reading.result.document.attachments
    const bytes = reading.result.attachmentBytes
    const attachments = draft.attachments.map((index) => ({
      fileName: documentAttachments[index]!.filename,
      contentType: documentAttachments[index]!.contentType,
      bytes: bytes[index]!,
    }))
    const input = {
      from,
      to: draft.to,
      cc: draft.cc,
      bcc: [],
      subject: draft.subject,
      body,
      attachments,
      sign: undefined,
      inReplyTo: draft.inReplyTo,
      references: draft.references,
      reply: draft.content,
    }
    const composeContext = {
      keys,
      now,
      technologies: messageTechnologies,
      containerPassword: (address: string) => passwordFor(context, address),
    }
    return await runPlannedCompose(context, {
      input,
      mode: 'auto',
      context: composeContext,
      checkPlan: (plan) => {
        const without = recipientsWithoutEndToEnd(plan, draft.content)
        if (without.length > 0) throw new SiegelpostError('FORWARD_NEEDS_END_TO_END', { addresses: without.join(', ') })
      },
      describe: (plan) =>
        describeReply(
          kind,
          draft,
          plan,
          attachments.map((a) => a.fileName),
        ),
    })
  } finally {
    reading.result.dispose()
  }
}

const sendOptions = {
  'body-file': { type: 'string' },
  out: { type: 'string' },
  send: { type: 'boolean' },
  account: { type: 'string' },
  from: { type: 'string' },
  json: { type: 'boolean' },
  progress: { type: 'boolean' },
} as const

export const replyCommands: readonly Command[] = [
  {
    words: ['reply'],
    usage:
      'reply (ID | FILE.eml) [--all] [--to-reply-to] --body-file F (--out FILE.eml | --send --account NAME) [--from ADDR] [--json]',
    summary: {
      de: 'auf eine Nachricht antworten: zitiert nur, was als eine geschützte Einheit angezeigt wurde; verschlüsselt, wenn die Nachricht es war',
      en: 'reply to a message: quotes only what was shown as one protected unit; encrypted when the message was',
    },
    options: { ...sendOptions, all: { type: 'boolean' }, 'to-reply-to': { type: 'boolean' } },
    operands: [1, 1],
    run: (context) => runReply(context, context.values.all === true ? 'reply-all' : 'reply'),
  },
  {
    words: ['forward'],
    usage:
      'forward (ID | FILE.eml) --to ADDR... [--body-file F] (--out FILE.eml | --send --account NAME) [--from ADDR] [--json]',
    summary: {
      de: 'Nachricht weiterleiten: Inhalt und Anhänge der angezeigten Einheit, neu verschlüsselt für die neuen Empfänger',
      en: 'forward a message: the content and attachments of the shown unit, encrypted anew for the new recipients',
    },
    options: { ...sendOptions, to: { type: 'string', multiple: true } },
    operands: [1, 1],
    run: (context) => runReply(context, 'forward'),
  },
]
