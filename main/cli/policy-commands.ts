import { SiegelpostError } from '../core/errors/index.ts'
import { ChannelSchema, PolicyStore, RequirementSchema, type PolicySettings } from '../core/policy/policy-settings.ts'
import { exitCodes, print, printJson, type Command, type CommandContext } from './command.ts'
import { requireString } from './transport-commands.ts'

async function store(context: CommandContext): Promise<PolicyStore> {
  return new PolicyStore(context.profileDir, await context.vault())
}

const optional = (value: unknown): string | null => (typeof value === 'string' ? value : null)

const required = (context: CommandContext, name: string, command: string): string => requireString(context.values, name, command)

function oneOf<T extends string>(schema: { safeParse: (v: unknown) => { success: boolean; data?: T } }, value: string, option: string, allowed: string): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new SiegelpostError('USAGE_BAD_VALUE', { option, value, allowed })
  return parsed.data!
}

function show(context: CommandContext, settings: PolicySettings): number {
  if (context.values.json) return printJson(context.io, settings), exitCodes.ok
  const de = context.lang === 'de'
  const lines = [
    de ? 'Zwangs-TLS zum eigenen Server: immer an (TLS ≥ 1.2, gültiges Zertifikat)' : 'Enforced TLS to your own server: always on (TLS ≥ 1.2, valid certificate)',
    `REQUIRETLS: ${settings.requiretls}`,
    ...settings.rules.map((r) => `${de ? 'Regel' : 'rule'} ${r.target}: ${r.require}${r.by ? ` (${r.by}, ${r.date.slice(0, 10)})` : ''}${r.note ? ` – ${r.note}` : ''}`),
    ...settings.tlsExceptions.map((e) => `tls-exception ${e.target}: ${e.reason} (${e.by}, ${e.date.slice(0, 10)}${e.expires ? `, ${de ? 'bis' : 'until'} ${e.expires.slice(0, 10)}` : ''})`),
    ...settings.consents.map((c) => `${de ? 'Einwilligung' : 'consent'} ${c.address}: ${c.channel} (${c.by}, ${c.date.slice(0, 10)}${c.expires ? `, ${de ? 'bis' : 'until'} ${c.expires.slice(0, 10)}` : ''})${c.note ? ` – ${c.note}` : ''}`),
  ]
  print(context.io, lines.join('\n'))
  return exitCodes.ok
}

export const policyCommands: readonly Command[] = [
  {
    words: ['policy', 'show'],
    usage: 'policy show [--json]',
    summary: { de: 'Transport-Richtlinie zeigen (REQUIRETLS, Regeln, Ausnahmen, Einwilligungen)', en: 'show the transport policy (REQUIRETLS, rules, exceptions, consents)' },
    options: { json: { type: 'boolean' } },
    async run(context) {
      return show(context, await (await store(context)).load())
    },
  },
  {
    words: ['policy', 'set'],
    usage: 'policy set requiretls request|require',
    summary: { de: 'REQUIRETLS anfordern, wenn angeboten (request), oder verlangen (require)', en: 'request REQUIRETLS when offered (request) or insist on it (require)' },
    options: { json: { type: 'boolean' } },
    operands: [2, 2],
    async run(context) {
      const [name, value] = context.operands as [string, string]
      if (name !== 'requiretls') throw new SiegelpostError('USAGE_BAD_VALUE', { option: 'policy set', value: name, allowed: 'requiretls' })
      if (value !== 'request' && value !== 'require') throw new SiegelpostError('USAGE_BAD_VALUE', { option: 'requiretls', value, allowed: 'request, require' })
      return show(context, await (await store(context)).setRequireTls(value))
    },
  },
  {
    words: ['policy', 'rule'],
    usage: 'policy rule DOMAIN-OR-ADDR --require e2e|requiretls|mta-sts-or-dane [--by NAME] [--note TEXT]',
    summary: { de: 'strengere Regel für eine Domain oder Adresse', en: 'a stricter rule for a domain or address' },
    options: { require: { type: 'string' }, by: { type: 'string' }, note: { type: 'string' }, json: { type: 'boolean' } },
    operands: [1, 1],
    async run(context) {
      const requirement = oneOf(RequirementSchema, required(context, 'require', 'policy rule'), '--require', 'e2e, requiretls, mta-sts-or-dane')
      const input = { target: context.operands[0]!, require: requirement, by: optional(context.values.by), note: optional(context.values.note) }
      return show(context, await (await store(context)).addRule(input, context.io.now()))
    },
  },
  {
    words: ['policy', 'tls-exception'],
    usage: 'policy tls-exception DOMAIN-OR-ADDR --reason TEXT --by NAME [--expires ISO-DATE]',
    summary: { de: 'Ausnahme (Whitelist) mit Begründung: lockert nur Anforderungen an die Empfängerseite', en: 'exception (whitelist) with a reason: relaxes recipient-side requirements only' },
    options: { reason: { type: 'string' }, by: { type: 'string' }, expires: { type: 'string' }, json: { type: 'boolean' } },
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
    usage: 'policy consent ADDR-OR-DOMAIN --channel e2e|container|tls|plain --by NAME [--note TEXT] [--expires ISO-DATE]',
    summary: { de: 'vereinbarten Übertragungsweg eines Mandanten festhalten', en: 'record the channel a client agreed to' },
    options: { channel: { type: 'string' }, by: { type: 'string' }, note: { type: 'string' }, expires: { type: 'string' }, json: { type: 'boolean' } },
    operands: [1, 1],
    async run(context) {
      const channel = oneOf(ChannelSchema, required(context, 'channel', 'policy consent'), '--channel', 'e2e, container, tls, plain')
      const by = required(context, 'by', 'policy consent')
      const input = { address: context.operands[0]!, channel, by, note: optional(context.values.note), expires: optional(context.values.expires) }
      return show(context, await (await store(context)).addConsent(input, context.io.now()))
    },
  },
]
