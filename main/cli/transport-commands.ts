import { SiegelpostError, type Lang } from '../core/errors/index.ts'
import { formatMessage } from '../core/errors/siegelpost-error.ts'
import { limits } from '../core/limits.ts'
import { readLimitedFile, readSecretFile } from '../core/secret-file.ts'
import { checkDomain } from '../core/transport/domain-check.ts'
import { normalizePin, parseEndpoint, readCaFile, summarizeAccount } from '../core/transport/account.ts'
import type { EndpointCheck } from '../core/transport/account-check.ts'
import type { Outbox, OutboxEntry, Reason } from '../core/transport/outbox.ts'
import { attempt, enqueueFileAndSend, type SendOutcome } from '../core/transport/send.ts'
import {
  accountStoreOf,
  domainCheckDeps,
  outboxEntryView,
  retryReleased,
  sendDepsOf,
  withOutbox as withProfileOutbox,
  type TransportProfile,
} from '../core/transport/transport-profile.ts'
import { exitCodes, print, printJson, type CommandContext, type Command } from './command.ts'

const text = (reason: Reason | null, lang: Lang) => (reason ? formatMessage(reason.code, lang, reason.params) : null)

export async function transportProfile(context: CommandContext): Promise<TransportProfile> {
  return {
    profileDir: context.profileDir,
    vault: await context.vault(),
    keychain: context.io.keychain,
    now: context.io.now,
    owner: String(process.pid),
    dnsServer: context.io.env.SIEGELPOST_DNS,
  }
}

export const accountStore = async (context: CommandContext) => accountStoreOf(await transportProfile(context))

export function requireString(values: CommandContext['values'], name: string, command: string): string {
  const value = values[name]
  if (typeof value !== 'string' || value.trim() === '')
    throw new SiegelpostError('USAGE_MISSING_OPTION', { command, option: `--${name}` })
  return value
}

/** The Outbox with crash recovery done, for one command. */
async function withOutbox(
  context: CommandContext,
  use: (outbox: Outbox, profile: TransportProfile) => Promise<number>,
): Promise<number> {
  const profile = await transportProfile(context)
  return withProfileOutbox(profile, (outbox) => use(outbox, profile))
}

function printOutcome(context: CommandContext, outcome: SendOutcome): number {
  const { io, lang, values } = context
  if (values.json) {
    printJson(io, {
      outboxId: outcome.outboxId,
      state: outcome.state,
      reason: text(outcome.reason, lang),
      reasonCode: outcome.reason?.code ?? null,
      tls: outcome.tls,
      sentCopy: outcome.append,
    })
  } else if (outcome.state === 'sent') {
    const copy =
      outcome.append?.state === 'ok'
        ? ''
        : lang === 'de'
          ? ' (Kopie in „Gesendet“ fehlgeschlagen)'
          : ' (Sent copy failed)'
    print(
      io,
      `${lang === 'de' ? 'Gesendet' : 'Sent'} ${outcome.outboxId} (${outcome.tls?.version}${outcome.tls?.requiretls ? ', REQUIRETLS' : ''})${copy}`,
    )
    if (outcome.reason) print(io, text(outcome.reason, lang)!)
  } else {
    print(io, `${lang === 'de' ? 'Zurückgehalten' : 'Held'} ${outcome.outboxId}: ${text(outcome.reason, lang)}`)
  }
  return outcome.state === 'sent' ? exitCodes.ok : exitCodes.held
}

function entryJson(entry: OutboxEntry, lang: Lang) {
  const view = outboxEntryView(entry)
  return { ...view, reason: text(view.reason, lang), reasonCode: view.reason?.code ?? null }
}

export const transportCommands: readonly Command[] = [
  {
    words: ['accounts', 'add'],
    usage:
      'accounts add NAME --email ADDR --smtp HOST:PORT --imap HOST:PORT --user U --password-file F [--smtp-security tls|starttls] [--imap-security tls|starttls] [--ca F] [--pin SHA256-HEX]',
    summary: {
      de: 'Mailkonto speichern (nur TLS; verbindet sich nicht)',
      en: 'store a mail account (TLS only; does not connect)',
    },
    options: {
      email: { type: 'string' },
      smtp: { type: 'string' },
      imap: { type: 'string' },
      user: { type: 'string' },
      'password-file': { type: 'string' },
      'smtp-security': { type: 'string' },
      'imap-security': { type: 'string' },
      ca: { type: 'string' },
      pin: { type: 'string' },
      json: { type: 'boolean' },
    },
    operands: [1, 1],
    async run(context) {
      const { values, operands, io, lang } = context
      const command = 'accounts add'
      const email = requireString(values, 'email', command)
      const smtp = parseEndpoint(
        requireString(values, 'smtp', command),
        '--smtp',
        values['smtp-security'] as string | undefined,
      )
      const imap = parseEndpoint(
        requireString(values, 'imap', command),
        '--imap',
        values['imap-security'] as string | undefined,
      )
      const user = requireString(values, 'user', command)
      const password = Buffer.from(await readSecretFile(requireString(values, 'password-file', command))).toString(
        'utf8',
      )
      const caPath = values.ca as string | undefined
      const ca =
        caPath === undefined ? null : await readCaFile(caPath, await readLimitedFile(caPath, limits.keyFileMaxBytes))
      const pin = typeof values.pin === 'string' ? normalizePin(values.pin) : null
      const account = await (
        await accountStore(context)
      ).add({ name: operands[0]!, email, user, smtp, imap, ca, pin }, password, io.now())
      if (values.json) printJson(io, summarizeAccount(account))
      else print(io, lang === 'de' ? `Konto „${account.name}“ gespeichert.` : `Account "${account.name}" stored.`)
      return exitCodes.ok
    },
  },
  {
    words: ['accounts', 'list'],
    usage: 'accounts list [--json]',
    summary: { de: 'Mailkonten auflisten', en: 'list the mail accounts' },
    options: { json: { type: 'boolean' } },
    async run(context) {
      const accounts = (await (await accountStore(context)).list()).map(summarizeAccount)
      if (context.values.json) return (printJson(context.io, accounts), exitCodes.ok)
      if (accounts.length === 0) print(context.io, context.lang === 'de' ? 'Noch keine Konten.' : 'No accounts yet.')
      for (const a of accounts)
        print(
          context.io,
          `${a.name}  ${a.email}  smtp ${a.smtp.host}:${a.smtp.port} ${a.smtp.security}  imap ${a.imap.host}:${a.imap.port} ${a.imap.security}`,
        )
      return exitCodes.ok
    },
  },
  {
    words: ['accounts', 'remove'],
    usage: 'accounts remove NAME [--json]',
    summary: {
      de: 'Mailkonto entfernen (auch sein Passwort im Schlüsselbund)',
      en: 'remove a mail account (and its password in the keychain)',
    },
    options: { json: { type: 'boolean' } },
    operands: [1, 1],
    async run(context) {
      const { name } = await (await accountStore(context)).remove(context.operands[0]!)
      if (context.values.json) printJson(context.io, { name, removed: true })
      else print(context.io, context.lang === 'de' ? `Konto „${name}“ entfernt.` : `Account "${name}" removed.`)
      return exitCodes.ok
    },
  },
  {
    words: ['accounts', 'test'],
    usage: 'accounts test NAME [--json]',
    summary: {
      de: 'Verbindung und Anmeldung prüfen (TLS-Version, Cipher, Zertifikat, REQUIRETLS)',
      en: 'check connection and login (TLS version, cipher, certificate, REQUIRETLS)',
    },
    options: { json: { type: 'boolean' } },
    operands: [1, 1],
    async run(context) {
      const { io, lang, values } = context
      const store = await accountStore(context)
      const account = await store.get(context.operands[0]!)
      // imapflow (≈30 MiB, 0.1 s to load) only for this command: send and compose --send do not need it.
      const { checkAccount } = await import('../core/transport/account-check.ts')
      const check = await checkAccount(account, await store.password(account))
      const shown = (result: EndpointCheck) =>
        result.ok ? result : { ok: false, reasonCode: result.reason.code, reason: text(result.reason, lang)! }
      const smtp = shown(check.smtp)
      const imap = shown(check.imap)
      if (values.json) printJson(io, { account: account.name, smtp, imap })
      else {
        for (const [name, result] of [
          ['SMTP', smtp],
          ['IMAP', imap],
        ] as const) {
          if (result.ok && 'tls' in result && result.tls) {
            const requiretls =
              'requiretls' in result
                ? `, REQUIRETLS ${result.requiretls ? (lang === 'de' ? 'ja' : 'yes') : lang === 'de' ? 'nein' : 'no'}`
                : ''
            print(io, `${name}: ${result.tls.version} ${result.tls.cipher}, ${result.tls.subject}${requiretls}`)
          } else print(io, `${name}: ${'reason' in result ? result.reason : ''}`)
        }
      }
      if (!smtp.ok || !imap.ok) {
        const first = (!smtp.ok ? smtp : imap) as { reason: string }
        io.stderr(`siegelpost: ${first.reason}\n`)
        return exitCodes.failure
      }
      return exitCodes.ok
    },
  },
  {
    words: ['send'],
    usage: 'send FILE.eml --account NAME [--json]',
    summary: {
      de: 'fertige Nachricht über den Postausgang senden (nur TLS); Exit 3 = zurückgehalten',
      en: 'send a finished message through the Outbox (TLS only); exit 3 = held',
    },
    options: { account: { type: 'string' }, json: { type: 'boolean' } },
    operands: [1, 1],
    // send FILE 100 MiB with a passphrase vault: peak RSS 191 -> 184 MiB (transport-commands loads ~8 MiB).
    vaultFirst: true,
    async run(context) {
      const path = context.operands[0]!
      const accountName = requireString(context.values, 'account', 'send')
      return withOutbox(context, async (outbox, profile) => {
        const deps = sendDepsOf(profile, outbox)
        // Read into the Outbox in chunks, never held whole (a 100 MB .eml).
        const outcome = await enqueueFileAndSend(deps, path, accountName)
        await retryReleased(deps)
        return printOutcome(context, outcome)
      })
    },
  },
  {
    words: ['outbox', 'list'],
    usage: 'outbox list [--json]',
    summary: {
      de: 'Postausgang zeigen (wartend, zurückgehalten, gesendet)',
      en: 'show the Outbox (queued, held, sent)',
    },
    options: { json: { type: 'boolean' } },
    async run(context) {
      return withOutbox(context, async (outbox) => {
        const entries = outbox.list().map((entry) => entryJson(entry, context.lang))
        if (context.values.json) printJson(context.io, entries)
        else if (entries.length === 0)
          print(context.io, context.lang === 'de' ? 'Der Postausgang ist leer.' : 'The Outbox is empty.')
        else
          for (const e of entries)
            print(
              context.io,
              `${e.outboxId}  ${e.state}  ${e.updated}  ${e.subject}${e.reason ? `\n    ${e.reason}` : ''}`,
            )
        return exitCodes.ok
      })
    },
  },
  {
    words: ['outbox', 'retry'],
    usage: 'outbox retry ID [--json]',
    summary: { de: 'zurückgehaltene Nachricht erneut senden', en: 'try a held message again' },
    options: { json: { type: 'boolean' } },
    operands: [1, 1],
    async run(context) {
      return withOutbox(context, async (outbox, profile) =>
        printOutcome(context, await attempt(sendDepsOf(profile, outbox), context.operands[0]!)),
      )
    },
  },
  {
    words: ['outbox', 'drop'],
    usage: 'outbox drop ID',
    summary: { de: 'Nachricht aus dem Postausgang verwerfen', en: 'discard a message from the Outbox' },
    options: {},
    operands: [1, 1],
    async run(context) {
      return withOutbox(context, async (outbox) => {
        outbox.drop(context.operands[0]!)
        print(
          context.io,
          context.lang === 'de' ? `Verworfen: ${context.operands[0]}` : `Dropped: ${context.operands[0]}`,
        )
        return exitCodes.ok
      })
    },
  },
]

export const domainCommands: readonly Command[] = [
  {
    words: ['check-domain'],
    usage: 'check-domain DOMAIN [--json]',
    summary: {
      de: 'TLS-Zustand einer Empfänger-Domain prüfen (MX, MTA-STS, DANE)',
      en: "check a recipient domain's TLS posture (MX, MTA-STS, DANE)",
    },
    options: { json: { type: 'boolean' } },
    operands: [1, 1],
    async run(context) {
      const { io, lang, values, operands } = context
      // The MTA-STS cache lives in the (sealed) profile; a diagnostic still runs, uncached, when the vault cannot be opened.
      const profile = await transportProfile(context).catch(() => null)
      const deps = domainCheckDeps(
        profile ?? { profileDir: context.profileDir, vault: null, now: io.now, dnsServer: io.env.SIEGELPOST_DNS },
      )
      const report = await checkDomain(operands[0]!, deps)
      if (values.json) return (printJson(io, report), exitCodes.ok)
      const de = lang === 'de'
      print(
        io,
        [
          `${report.domain}`,
          `MX: ${report.mx === null ? (de ? 'unbekannt' : 'unknown') : report.mx.map((m) => m.host).join(', ') || '-'}`,
          `MTA-STS: ${report.mtaSts.state} (${report.mtaSts.reason})${report.mtaSts.expires ? `, ${de ? 'gültig bis' : 'valid until'} ${report.mtaSts.expires.slice(0, 10)}` : ''}`,
          `DANE: ${report.dane.state} (${report.dane.reason})`,
          de
            ? 'STARTTLS auf Port 25: nicht geprüft (oft vom Internetanschluss gesperrt)'
            : 'STARTTLS on port 25: not probed (often blocked on desktop lines)',
        ].join('\n'),
      )
      return exitCodes.ok
    },
  },
]
