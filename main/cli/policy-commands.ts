import { SiegelpostError } from '../core/errors/index.ts'
import { checkStandingPassword } from '../core/container/password.ts'
import { ClientPasswordStore } from '../core/policy/client-passwords.ts'
import { consentCsv, consentLetterPdf, consentReportPdf } from '../core/policy/consent-documents.ts'
import {
  ChannelSchema,
  RequirementSchema,
  TransmissionSchema,
  type PolicySettings,
} from '../core/policy/policy-schema.ts'
import { consentFor } from '../core/policy/evaluate.ts'
import { normalizeTarget, PolicyStore } from '../core/policy/policy-settings.ts'
import { readSecretFile } from '../core/secret-file.ts'
import { writeFileAtomic } from '../core/store/atomic-file.ts'
import { exitCodes, print, printJson, type Command, type CommandContext } from './command.ts'
import { requireString } from './transport-commands.ts'

async function store(context: CommandContext): Promise<PolicyStore> {
  return new PolicyStore(context.profileDir, await context.vault())
}

const optional = (value: unknown): string | null => (typeof value === 'string' ? value : null)

const required = (context: CommandContext, name: string, command: string): string =>
  requireString(context.values, name, command)

function oneOf<T extends string>(
  schema: { safeParse: (v: unknown) => { success: boolean; data?: T } },
  value: string,
  option: string,
  allowed: string,
): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new SiegelpostError('USAGE_BAD_VALUE', { option, value, allowed })
  return parsed.data!
}

function show(context: CommandContext, settings: PolicySettings): number {
  if (context.values.json) return (printJson(context.io, settings), exitCodes.ok)
  const de = context.lang === 'de'
  const lines = [
    de
      ? 'Zwangs-TLS zum eigenen Server: immer an (TLS ≥ 1.2, gültiges Zertifikat)'
      : 'Enforced TLS to your own server: always on (TLS ≥ 1.2, valid certificate)',
    `REQUIRETLS: ${settings.requiretls}`,
    ...settings.rules.map(
      (r) =>
        `${de ? 'Regel' : 'rule'} ${r.target}: ${r.require}${r.by ? ` (${r.by}, ${r.date.slice(0, 10)})` : ''}${r.note ? ` – ${r.note}` : ''}`,
    ),
    ...settings.tlsExceptions.map(
      (e) =>
        `tls-exception ${e.target}: ${e.reason} (${e.by}, ${e.date.slice(0, 10)}${e.expires ? `, ${de ? 'bis' : 'until'} ${e.expires.slice(0, 10)}` : ''})`,
    ),
    ...settings.consents.map(
      (c) =>
        `${de ? 'Einwilligung' : 'consent'} ${c.address}: ${c.channel} (${c.by}, ${c.date.slice(0, 10)}${c.expires ? `, ${de ? 'bis' : 'until'} ${c.expires.slice(0, 10)}` : ''})` +
        `${c.hasPassword ? (de ? ', Passwort hinterlegt' : ', password kept') : ''}${c.note ? ` – ${c.note}` : ''}${c.current ? '' : de ? ' [ersetzt]' : ' [superseded]'}`,
    ),
  ]
  print(context.io, lines.join('\n'))
  return exitCodes.ok
}

export const policyCommands: readonly Command[] = [
  {
    words: ['policy', 'show'],
    usage: 'policy show [--json]',
    summary: {
      de: 'Transport-Richtlinie zeigen (REQUIRETLS, Regeln, Ausnahmen, Einwilligungen)',
      en: 'show the transport policy (REQUIRETLS, rules, exceptions, consents)',
    },
    options: { json: { type: 'boolean' } },
    async run(context) {
      return show(context, await (await store(context)).load())
    },
  },
  {
    words: ['policy', 'set'],
    usage: 'policy set requiretls request|require',
    summary: {
      de: 'REQUIRETLS anfordern, wenn angeboten (request), oder verlangen (require)',
      en: 'request REQUIRETLS when offered (request) or insist on it (require)',
    },
    options: { json: { type: 'boolean' } },
    operands: [2, 2],
    async run(context) {
      const [name, value] = context.operands as [string, string]
      if (name !== 'requiretls')
        throw new SiegelpostError('USAGE_BAD_VALUE', { option: 'policy set', value: name, allowed: 'requiretls' })
      if (value !== 'request' && value !== 'require')
        throw new SiegelpostError('USAGE_BAD_VALUE', { option: 'requiretls', value, allowed: 'request, require' })
      return show(context, await (await store(context)).setRequireTls(value))
    },
  },
  {
    words: ['policy', 'rule'],
    usage: 'policy rule DOMAIN-OR-ADDR --require e2e|requiretls|mta-sts-or-dane [--by NAME] [--note TEXT]',
    summary: { de: 'strengere Regel für eine Domain oder Adresse', en: 'a stricter rule for a domain or address' },
    options: {
      require: { type: 'string' },
      by: { type: 'string' },
      note: { type: 'string' },
      json: { type: 'boolean' },
    },
    operands: [1, 1],
    async run(context) {
      const requirement = oneOf(
        RequirementSchema,
        required(context, 'require', 'policy rule'),
        '--require',
        'e2e, requiretls, mta-sts-or-dane',
      )
      const input = {
        target: context.operands[0]!,
        require: requirement,
        by: optional(context.values.by),
        note: optional(context.values.note),
      }
      return show(context, await (await store(context)).addRule(input, context.io.now()))
    },
  },
  {
    words: ['policy', 'tls-exception'],
    usage: 'policy tls-exception DOMAIN-OR-ADDR --reason TEXT --by NAME [--expires ISO-DATE]',
    summary: {
      de: 'Ausnahme (Whitelist) mit Begründung: lockert nur Anforderungen an die Empfängerseite',
      en: 'exception (whitelist) with a reason: relaxes recipient-side requirements only',
    },
    options: {
      reason: { type: 'string' },
      by: { type: 'string' },
      expires: { type: 'string' },
      json: { type: 'boolean' },
    },
    operands: [1, 1],
    async run(context) {
      const reason = required(context, 'reason', 'policy tls-exception')
      const by = required(context, 'by', 'policy tls-exception')
      const input = { target: context.operands[0]!, reason, by, expires: optional(context.values.expires) }
      return show(context, await (await store(context)).addTlsException(input, context.io.now()))
    },
  },
  {
    words: ['policy', 'consent'],
    usage:
      'policy consent ADDR-OR-DOMAIN --channel e2e|container|tls|plain --by NAME [--note TEXT] [--password-file F] ' +
      '[--transmitted post|phone|in-person] [--transmitted-on ISO-DATE] [--expires ISO-DATE]',
    summary: {
      de: 'vereinbarten Übertragungsweg eines Mandanten festhalten (mit Verlauf)',
      en: 'record the channel a client agreed to (history kept)',
    },
    options: {
      channel: { type: 'string' },
      by: { type: 'string' },
      note: { type: 'string' },
      'password-file': { type: 'string' },
      transmitted: { type: 'string' },
      'transmitted-on': { type: 'string' },
      expires: { type: 'string' },
      json: { type: 'boolean' },
    },
    operands: [1, 1],
    async run(context) {
      const channel = oneOf(
        ChannelSchema,
        required(context, 'channel', 'policy consent'),
        '--channel',
        'e2e, container, tls, plain',
      )
      const by = required(context, 'by', 'policy consent')
      const target = normalizeTarget(context.operands[0]!)
      const transmitted =
        typeof context.values.transmitted === 'string'
          ? oneOf(TransmissionSchema, context.values.transmitted, '--transmitted', 'post, phone, in-person')
          : null
      let password: string | null = null
      if (typeof context.values['password-file'] === 'string') {
        if (channel !== 'container')
          throw new SiegelpostError('USAGE_BAD_VALUE', {
            option: '--password-file',
            value: channel,
            allowed: '--channel container',
          })
        password = new TextDecoder().decode(await readSecretFile(context.values['password-file']))
        const weakness = checkStandingPassword(password)
        if (weakness !== null) throw new SiegelpostError('PASSWORD_TOO_WEAK', { why: weakness })
      }
      const input = {
        address: target,
        channel,
        by,
        note: optional(context.values.note),
        transmitted,
        transmittedOn: optional(context.values['transmitted-on']),
        expires: optional(context.values.expires),
        hasPassword: password !== null,
      }
      const policy = await store(context)
      // The password first: a register entry that says "password kept" must never lack it.
      if (password !== null)
        await new ClientPasswordStore(context.profileDir, await context.vault()).set(target, password, context.io.now())
      return show(context, await policy.addConsent(input, context.io.now()))
    },
  },
  {
    words: ['policy', 'consent-letter'],
    usage: 'policy consent-letter ADDR-OR-DOMAIN --out FILE.pdf',
    summary: {
      de: 'Einwilligungserklärung zum Unterschreiben drucken (PDF)',
      en: 'print the consent agreement for the client to sign (PDF)',
    },
    options: { out: { type: 'string' } },
    operands: [1, 1],
    async run(context) {
      const out = required(context, 'out', 'policy consent-letter')
      const target = normalizeTarget(context.operands[0]!)
      const settings = await (await store(context)).load()
      const consent = consentFor(settings, target.includes('@') ? target : `x@${target}`, context.io.now()).consent
      await writeFileAtomic(out, await consentLetterPdf(target, consent, context.io.now()), {}, { backup: false })
      print(context.io, out)
      return exitCodes.ok
    },
  },
  {
    words: ['policy', 'export'],
    usage: 'policy export --out FILE.csv|FILE.pdf',
    summary: {
      de: 'Einwilligungsregister als CSV oder PDF-Bericht ausgeben',
      en: 'export the consent register as CSV or a PDF report',
    },
    options: { out: { type: 'string' } },
    async run(context) {
      const out = required(context, 'out', 'policy export')
      const settings = await (await store(context)).load()
      if (/\.csv$/i.test(out))
        await writeFileAtomic(out, [Buffer.from(`\uFEFF${consentCsv(settings)}`, 'utf8')], {}, { backup: false })
      else if (/\.pdf$/i.test(out))
        await writeFileAtomic(
          out,
          await consentReportPdf(settings, context.io.now(), context.lang === 'de' ? 'de' : 'en'),
          {},
          { backup: false },
        )
      else throw new SiegelpostError('USAGE_BAD_VALUE', { option: '--out', value: out, allowed: 'FILE.csv, FILE.pdf' })
      print(context.io, out)
      return exitCodes.ok
    },
  },
]
