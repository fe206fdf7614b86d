import type { ComposePlanView, Protection, RecipientPlanView } from '../../../preload/contract'
import type { Lang, MessageKey } from '../i18n'
import { formatDate } from '../keys/key-state'

/**
 * What a recipient chip shows (UI.md §3.1): the state, a badge in words, an icon and a tooltip. The
 * state comes from main's per-recipient plan (the core decides); this file only names it. Colour is
 * never the only sign: every state has its own badge text and icon.
 */
export type ChipState = 'smime' | 'openpgp' | 'container' | 'tls' | 'attention' | 'blocked' | 'invalid' | 'checking'

/** Blocked because of the key itself (expired, revoked, unusable): the user can fix it in the resolver. */
const attentionCodes = new Set([
  'RECIPIENT_KEY_EXPIRED',
  'RECIPIENT_KEY_REVOKED',
  'RECIPIENT_KEY_UNUSABLE',
  'RECIPIENT_OWN_KEY_MISSING',
])

export function chipStateOf(entry: RecipientPlanView | undefined): ChipState {
  if (!entry) return 'checking'
  if (entry.protection !== 'blocked') return entry.protection
  if (entry.reason.code === 'RECIPIENT_BAD_ADDRESS') return 'invalid'
  return attentionCodes.has(entry.reason.code) ? 'attention' : 'blocked'
}

export const chipBadge: Record<ChipState, MessageKey> = {
  smime: 'chip.badge.smime',
  openpgp: 'chip.badge.openpgp',
  container: 'chip.badge.container',
  tls: 'chip.badge.tls',
  attention: 'chip.badge.attention',
  blocked: 'chip.badge.blocked',
  invalid: 'chip.badge.invalid',
  checking: 'chip.badge.checking',
}

type T = (key: MessageKey, params?: Record<string, string | number>) => string

/** The chip's tooltip: UI.md's sentence for the state, with the date and the verification where they apply. */
export function chipTooltip(entry: RecipientPlanView | undefined, t: T, lang: Lang): string {
  const state = chipStateOf(entry)
  if (!entry || state === 'checking') return t('chip.tip.checking')
  switch (state) {
    case 'smime':
      return entry.key?.expires
        ? t('chip.tip.smime', { date: formatDate(entry.key.expires, lang) })
        : t('chip.tip.smimeNoDate')
    case 'openpgp':
      return entry.key?.acceptance === 'verified'
        ? t('chip.tip.openpgp')
        : `${t('chip.tip.openpgp')} – ${t('chip.tip.unverified')}`
    case 'container':
      return t('chip.tip.container')
    case 'tls':
      return t('chip.tip.tls', { date: entry.consent ? formatDate(entry.consent.date, lang) : '?' })
    default:
      return entry.reason.message[lang]
  }
}

export type SummaryGroup = 'smime' | 'openpgp' | 'container' | 'tls' | 'blocked'
export const summaryKey: Record<SummaryGroup, MessageKey> = {
  smime: 'summary.smime',
  openpgp: 'summary.openpgp',
  container: 'summary.container',
  tls: 'summary.tls',
  blocked: 'summary.blocked',
}

/** "3 Empfänger: 2 × Ende-zu-Ende (S/MIME), 1 × Passwort-PDF" (UI.md §3.2). */
export function summaryLine(plan: ComposePlanView, t: T): string {
  const counts = new Map<SummaryGroup, number>()
  for (const r of plan.recipients) counts.set(r.protection, (counts.get(r.protection) ?? 0) + 1)
  const order: SummaryGroup[] = ['smime', 'openpgp', 'container', 'tls', 'blocked']
  const parts = order.filter((g) => counts.has(g)).map((g) => `${counts.get(g)!} × ${t(summaryKey[g])}`)
  const count = plan.recipients.length
  return `${count === 1 ? t('summary.recipientOne') : t('summary.recipients', { count })}: ${parts.join(', ')}`
}

export type SendKind = 'empty' | 'blocked' | 'encrypted' | 'mixed' | 'tls' | 'container'
const endToEnd = (p: Protection) => p === 'smime' || p === 'openpgp'

/** What the send button says (UI.md §3.2): all end-to-end, mixed, only TLS, only password PDFs, or not possible. */
export function sendKindOf(plan: ComposePlanView | null): SendKind {
  if (!plan || plan.recipients.length === 0) return 'empty'
  if (plan.recipients.some((r) => r.protection === 'blocked')) return 'blocked'
  if (plan.recipients.every((r) => endToEnd(r.protection))) return 'encrypted'
  if (plan.recipients.every((r) => r.protection === 'tls')) return 'tls'
  if (plan.recipients.every((r) => r.protection === 'container')) return 'container'
  return 'mixed'
}

/** The subject travels in clear for a TLS-only copy and in the carrier mail of a password PDF. */
export const subjectInClear = (plan: ComposePlanView | null) =>
  Boolean(plan?.recipients.some((r) => r.protection === 'tls' || r.protection === 'container'))

/** Protection from strongest to weakest: a change to a lower rank is a downgrade that must be asked. */
export const rankOf = (p: Protection) => (endToEnd(p) ? 3 : p === 'container' ? 2 : p === 'tls' ? 1 : 0)
