import { SiegelpostError, type Lang } from '../core/errors/index.ts'
import { formatMessage } from '../core/errors/siegelpost-error.ts'
import { isAddress } from '../core/message/addresses.ts'
import { newMessageId, type ComposeContext } from '../core/message/compose.ts'
import {
  planMessage,
  technologyLabel,
  type EncryptMode,
  type MessagePlan,
  type RecipientPlan,
} from '../core/message/recipient-plan.ts'
import { streamCopy, type SplitInput } from '../core/message/split-compose.ts'
import { PolicyStore } from '../core/policy/policy-settings.ts'
import { writeFileAtomic } from '../core/store/atomic-file.ts'
import type { GroupOutcome } from '../core/transport/send-group.ts'
import { exitCodes, print, printJson, type CommandContext } from './command.ts'

/**
 * `compose --plan`, `compose --encrypt auto` and `compose --send`: the per-recipient decision of
 * recipient-plan.ts, then one .eml (when the plan is one message) or the split send through the Outbox.
 */
export interface PlannedCompose {
  input: SplitInput
  mode: EncryptMode
  context: ComposeContext
  /** Refuses a plan before anything is written or queued (a forward of an encrypted mail: end-to-end only). */
  checkPlan?: (plan: MessagePlan) => void
  /** Fields added to the --json document (reply and forward describe what they built). */
  describe?: (plan: MessagePlan) => Record<string, unknown>
}

const why = (recipient: RecipientPlan, lang: Lang) =>
  formatMessage(recipient.reason.code, lang, recipient.reason.params)

/** CLI.md's `--plan --json` document (plus `field` and `code`, the stable reason). */
export function planJson(plan: MessagePlan, lang: Lang) {
  return {
    recipients: plan.recipients.map((r) => ({
      address: r.address,
      field: r.field,
      protection: r.protection,
      why: why(r, lang),
      code: r.reason.code,
      key: r.key?.fingerprint ?? null,
      consent: r.consent
        ? { channel: r.consent.channel, by: r.consent.by, date: r.consent.date, target: r.consent.address }
        : null,
    })),
    messages: plan.copies.length,
  }
}

/** One line naming each blocked recipient with its reason, and the ways out. */
export function blockedError(plan: MessagePlan, lang: Lang): SiegelpostError {
  return new SiegelpostError('COMPOSE_RECIPIENTS_BLOCKED', {
    addresses: plan.blocked.map((r) => r.address).join(', '),
    reasons: plan.blocked.map((r) => why(r, lang)).join(' '),
  })
}

const protectionName = (protection: string, lang: Lang) =>
  protection === 'smime' || protection === 'openpgp'
    ? technologyLabel(protection)
    : protection === 'tls'
      ? lang === 'de'
        ? 'nur Zwangs-TLS'
        : 'enforced TLS only'
      : protection === 'container'
        ? lang === 'de'
          ? 'Passwort-PDF'
          : 'password PDF'
        : protection

export async function runPlannedCompose(context: CommandContext, request: PlannedCompose): Promise<number> {
  const { io, lang, values } = context
  const { input, mode } = request
  if (!isAddress(input.from)) throw new SiegelpostError('MESSAGE_BAD_ADDRESS', { address: input.from })
  const policy = await new PolicyStore(context.profileDir, await context.vault()).load()
  const plan = planMessage(
    { from: input.from, to: input.to, cc: input.cc, bcc: input.bcc, mode },
    { keys: request.context.keys, technologies: request.context.technologies, policy, now: request.context.now },
  )
  if (values.plan) {
    const document = planJson(plan, lang)
    if (values.json) printJson(io, document)
    else
      for (const r of document.recipients) print(io, `${r.address}: ${protectionName(r.protection, lang)} – ${r.why}`)
    return exitCodes.ok
  }
  // Nothing is written or queued while any recipient is blocked.
  if (plan.blocked.length > 0) throw blockedError(plan, lang)
  request.checkPlan?.(plan)
  const extra = request.describe?.(plan) ?? {}
  const messageId = newMessageId(input.from, request.context.random)
  if (!values.send) return writeOne(context, request, plan, messageId, extra)

  const accountName = values.account as string
  // The transport (SMTP, IMAP, DNS) loads only for --send.
  const [{ sendPlanned }, { sendDepsOf, withOutbox }, { transportProfile }] = await Promise.all([
    import('../core/message/send-planned.ts'),
    import('../core/transport/transport-profile.ts'),
    import('./transport-commands.ts'),
  ])
  const profile = await transportProfile(context)
  return withOutbox(profile, async (outbox) => {
    // Progress per copy on stderr (a terminal, or --progress); stdout stays the --json contract.
    const isShown = values.progress === true || io.isStderrTty === true
    const outcome = await sendPlanned(
      sendDepsOf(profile, outbox),
      accountName,
      input,
      plan,
      request.context,
      messageId,
      (done, total, m) => {
        if (!isShown) return
        const state =
          m.state === 'sent' ? (lang === 'de' ? 'gesendet' : 'sent') : lang === 'de' ? 'zurückgehalten' : 'held'
        const what = `${protectionName(m.protection ?? '', lang)}, ${m.recipients.join(', ')}`
        io.stderr(`siegelpost: ${lang === 'de' ? 'Kopie' : 'copy'} ${done}/${total} ${state} (${what})\n`)
      },
    )
    return printGroup(context, outcome, outcome.containerPasswords, extra)
  })
}

async function writeOne(
  context: CommandContext,
  request: PlannedCompose,
  plan: MessagePlan,
  messageId: string,
  extra: Record<string, unknown>,
): Promise<number> {
  const { io, values } = context
  if (plan.copies.length !== 1)
    throw new SiegelpostError('COMPOSE_NEEDS_SEVERAL_MESSAGES', { count: plan.copies.length })
  const out = values.out as string
  // Written as it is composed (a large attachment is never held whole); the chunks are new buffers each, freed once
  // written.
  const result = await streamCopy(request.input, plan.copies[0]!, request.context, messageId)
  await writeFileAtomic(out, result.chunks, {}, { backup: false, mode: 0o600, writesAhead: 4, releasesWritten: true })
  const summary = {
    out,
    messageId,
    protection: result.protection,
    technology: result.technology,
    encrypted: result.encrypted,
    signed: result.signed,
    encryptedTo: result.encryptedTo,
    signedBy: result.signedBy,
    ...(result.containerPassword ? { containerPassword: result.containerPassword } : {}),
    ...extra,
  }
  if (values.json) printJson(io, summary)
  else {
    const how = `${result.encrypted ? 'encrypted' : 'not encrypted'}, ${result.signed ? 'signed' : 'not signed'}`
    print(io, `${out}: ${how}${result.technology ? ` (${result.technology})` : ''}`)
  }
  return exitCodes.ok
}

function printGroup(
  context: CommandContext,
  outcome: GroupOutcome,
  passwords: Map<string, string>,
  extra: Record<string, unknown> = {},
): number {
  const { io, lang, values } = context
  const reason = (m: GroupOutcome['messages'][number]) =>
    m.reason ? formatMessage(m.reason.code, lang, m.reason.params) : null
  if (values.json) {
    printJson(io, {
      groupId: outcome.groupId,
      messages: outcome.messages.map((m) => ({
        outboxId: m.outboxId,
        recipients: m.recipients,
        protection: m.protection,
        state: m.state,
        reason: reason(m),
        reasonCode: m.reason?.code ?? null,
        tls: m.tls,
        ...(passwords.has(m.recipients.join(',')) ? { containerPassword: passwords.get(m.recipients.join(',')) } : {}),
      })),
      sentCopy: outcome.sentItem,
      ...extra,
    })
  } else {
    const de = lang === 'de'
    for (const m of outcome.messages) {
      const protection = protectionName(m.protection ?? '', lang)
      const password = passwords.get(m.recipients.join(','))
      const what =
        `${m.outboxId} (${protection}) ${de ? 'an' : 'to'} ${m.recipients.join(', ')}` +
        (password ? ` – ${de ? 'Passwort (nur jetzt angezeigt)' : 'password (shown only now)'}: ${password}` : '')
      print(
        io,
        m.state === 'sent'
          ? `${de ? 'Gesendet' : 'Sent'} ${what}`
          : `${de ? 'Zurückgehalten' : 'Held'} ${what}: ${reason(m)}`,
      )
    }
    if (outcome.sentItem?.state === 'failed')
      print(io, de ? 'Kopie in „Gesendet“ fehlgeschlagen.' : 'Sent copy failed.')
  }
  return outcome.messages.some((m) => m.state === 'held') ? exitCodes.held : exitCodes.ok
}
