import type { PolicyRule } from '../policy/policy-settings.ts'
import { targetMatches } from '../policy/evaluate.ts'
import type { TransportTrail } from '../transport/received-trail.ts'
import { addressesOf, decodeAddressHeader, withoutAngleAddresses } from './addresses.ts'
import type { PartView } from './open-document.ts'
import { warning, type Warning } from './verdict.ts'

/** The header fields the warnings look at, as found (protected headers already chosen). */
export interface SenderFields {
  fromFields: readonly string[]
  fromAddresses: readonly string[]
  sender: readonly string[]
  replyTo: readonly string[]
}

const addressLike = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.[^\s@<>"'(),;:]+/g

/**
 * What the header fields give away (CLI.md warnings): an address in the display name that is not
 * the sender's, no or several From addresses, a Sender or (for protected mail) a Reply-To other
 * than From.
 */
export function senderWarnings(fields: SenderFields, isProtected: boolean): Warning[] {
  const warnings: Warning[] = []
  const from = fields.fromAddresses
  const fromText = from.join(', ')
  for (const field of fields.fromFields) {
    // The display names and comments, decoded: everything but the angle-bracketed addresses themselves (an encoded
    // word that decodes to "<other@address>" is part of a name, and is looked at).
    const shown = withoutAngleAddresses(decodeAddressHeader(field))
    for (const candidate of shown.match(addressLike) ?? []) {
      const address = candidate.toLowerCase()
      if (!from.includes(address)) warnings.push(warning('from-display-address', { shown: address, address: fromText }))
    }
  }
  if (from.length !== 1) warnings.push(warning('several-from', { count: from.length }))
  const otherSender = fields.sender.filter((address) => !from.includes(address))
  if (otherSender.length > 0) {
    warnings.push(warning('sender-differs', { sender: otherSender.join(', '), from: fromText }))
  }
  const otherReplyTo = fields.replyTo.filter((address) => !from.includes(address))
  if (isProtected && otherReplyTo.length > 0) {
    warnings.push(warning('reply-to-differs', { replyTo: otherReplyTo.join(', '), from: fromText }))
  }
  return warnings
}

/** Rules that require TLS on the way (not end-to-end encryption, which says nothing about the transport). */
const tlsRequirements = new Set(['requiretls', 'mta-sts-or-dane'])

/** `plaintext-hop`: a hop of the Received trail without TLS, from a sender whose domain a rule requires TLS for. */
export function plaintextHop(
  trail: TransportTrail,
  fromAddresses: readonly string[],
  rules: readonly PolicyRule[],
): Warning | null {
  const isSenders = (rule: PolicyRule) => fromAddresses.some((address) => targetMatches(rule.target, address))
  const rule = rules.find((r) => tlsRequirements.has(r.require) && isSenders(r))
  const hop = trail.hops.find((h) => h.tls === false)
  if (!rule || !hop) return null
  const named = [hop.from && `from ${hop.from}`, hop.by && `by ${hop.by}`].filter(Boolean).join(' ')
  return warning('plaintext-hop', { hop: named || '?', domain: rule.target })
}

/**
 * `partly-protected`: a protection (encryption, a valid signature, or one inside the message that
 * was not applied to it) does not cover every displayed part.
 */
export function isPartlyProtected(
  parts: readonly PartView[],
  nestedEncrypted: boolean,
  nestedSigned: boolean,
): boolean {
  const shown = parts.filter((part) => part.kind !== 'not-opened')
  const anyEncrypted = nestedEncrypted || parts.some((part) => part.encrypted)
  const anySigned = nestedSigned || parts.some((part) => part.signed)
  return shown.some((part) => (anyEncrypted && !part.encrypted) || (anySigned && !part.signed))
}

/** The fields of a header as addresses: every field of that name counts. */
export const addressFields = (values: readonly string[]) => [...new Set(values.flatMap((value) => addressesOf(value)))]
