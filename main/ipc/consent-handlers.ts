import { basename } from 'node:path'
import { checkStandingPassword } from '../core/container/password.ts'
import { SiegelpostError } from '../core/errors/index.ts'
import { ClientPasswordStore } from '../core/policy/client-passwords.ts'
import { consentCsv, consentLetterPdf, consentReportPdf } from '../core/policy/consent-documents.ts'
import { consentFor } from '../core/policy/evaluate.ts'
import { normalizeTarget } from '../core/policy/policy-settings.ts'
import { writeFileAtomic } from '../core/store/atomic-file.ts'
import { policyStoreOf } from '../core/transport/transport-profile.ts'
import type { DomainHandlers } from './dispatch.ts'
import { transportProfileOf, type RegistryDeps, type SaveRequest } from './handler-deps.ts'

/** Writes a file the user asked for where they chose; the register names clients, so only for the user. */
export async function saveChosenFile(deps: RegistryDeps, request: SaveRequest, bytes: () => Promise<Uint8Array>) {
  const path = await deps.chooseSavePath(request)
  if (path === null) return { saved: false, fileName: request.suggestedName }
  await writeFileAtomic(path, await bytes(), {}, { backup: false, mode: 0o600 })
  return { saved: true, fileName: basename(path) }
}

const fileSafe = (target: string) => target.replace(/[^a-zA-Z0-9.@_-]+/g, '_')

/**
 * The consent register as the Mandanten page uses it: `consent:*`, as the CLI's `policy consent`,
 * `policy consent-letter` and `policy export`. A standing password arrives once, is checked by the core,
 * kept sealed apart from the register (client-passwords.ts) and never returned.
 */
export function consentHandlers(deps: RegistryDeps): DomainHandlers<'consent'> {
  const store = async () => policyStoreOf(await transportProfileOf(deps))
  const passwords = async () => new ClientPasswordStore(deps.transport.profileDir, await deps.getVault())
  const day = () => deps.now().toISOString().slice(0, 10)
  return {
    'consent:list': async () => (await (await store()).load()).consents,
    'consent:record': async (request) => {
      const target = normalizeTarget(request.target)
      const isContainer = request.channel === 'container'
      if (request.password !== undefined && !isContainer) {
        throw new SiegelpostError('USAGE_BAD_VALUE', {
          option: 'password',
          value: request.channel,
          allowed: 'container',
        })
      }
      const policy = await store()
      if (request.password !== undefined) {
        const refused = checkStandingPassword(request.password)
        if (refused !== null) return { refused, consents: (await policy.load()).consents }
      }
      const kept = await passwords()
      let hasPassword = false
      // The password first: a register entry that says "password kept" must never lack it.
      if (request.password !== undefined) {
        await kept.set(target, request.password, deps.now())
        hasPassword = true
      } else if (isContainer && request.keepPassword === true) {
        hasPassword = await kept.has(target)
      } else {
        await kept.remove(target)
      }
      const settings = await policy.addConsent(
        {
          address: target,
          channel: request.channel,
          by: request.by,
          note: request.note ?? null,
          expires: request.expires ?? null,
          transmitted: hasPassword ? (request.transmitted ?? null) : null,
          transmittedOn: hasPassword ? (request.transmittedOn ?? null) : null,
          hasPassword,
        },
        deps.now(),
      )
      return { refused: null, consents: settings.consents }
    },
    'consent:letter': async ({ target }) => {
      const normalized = normalizeTarget(target)
      const settings = await (await store()).load()
      const probe = normalized.includes('@') ? normalized : `x@${normalized}`
      const consent = consentFor(settings, probe, deps.now()).consent
      const request: SaveRequest = { suggestedName: `Einwilligung-${fileSafe(normalized)}.pdf`, kind: 'consent-letter' }
      return saveChosenFile(deps, request, () => consentLetterPdf(normalized, consent, deps.now()))
    },
    'consent:export': async ({ format, lang }) => {
      const settings = await (await store()).load()
      const name = `${lang === 'de' ? 'Einwilligungsregister' : 'Consent-register'}-${day()}.${format}`
      return saveChosenFile(deps, { suggestedName: name, kind: 'consent-export' }, async () =>
        format === 'csv'
          ? Buffer.from(`\uFEFF${consentCsv(settings)}`, 'utf8')
          : consentReportPdf(settings, deps.now(), lang),
      )
    },
  }
}
