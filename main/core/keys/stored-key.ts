import { z } from 'zod'
import type { KeySummary } from './key-summary.ts'

/**
 * A key or certificate as the vault stores it: the summary fields of the CLI contract plus the
 * technology's own material (filled by the OpenPGP and S/MIME modules). Material never leaves main.
 */
export const StoredKeySchema = z.object({
  id: z.string().min(1),
  fingerprint: z.string().regex(/^[0-9A-F]+$/),
  technology: z.enum(['openpgp', 'smime']),
  name: z.string(),
  emails: z.array(z.string()),
  hasSecret: z.boolean(),
  acceptance: z.enum(['verified', 'unverified']),
  created: z.string(),
  expires: z.string().nullable(),
  /** Stored verdicts that do not depend on time; `expired` is computed when listing. */
  flags: z.object({ revoked: z.boolean(), unusableReason: z.string().nullable() }),
  usage: z.array(z.string()),
  material: z.record(z.string(), z.unknown()),
})
export type StoredKey = z.infer<typeof StoredKeySchema>

/** Of several usable keys for one address, the one to take: a verified one first, then the newest. */
export function preferredKey(candidates: readonly StoredKey[]): StoredKey | null {
  const ordered = [...candidates].sort(
    (a, b) =>
      Number(b.acceptance === 'verified') - Number(a.acceptance === 'verified') ||
      Date.parse(b.created) - Date.parse(a.created),
  )
  return ordered[0] ?? null
}

export function summarizeKey(key: StoredKey, now: Date): KeySummary {
  let status: KeySummary['status'] = 'valid'
  if (key.flags.revoked) status = 'revoked'
  else if (key.flags.unusableReason !== null) status = 'unusable'
  else if (key.expires !== null && Date.parse(key.expires) <= now.getTime()) status = 'expired'
  return {
    id: key.id,
    fingerprint: key.fingerprint,
    technology: key.technology,
    name: key.name,
    emails: [...key.emails],
    hasSecret: key.hasSecret,
    acceptance: key.acceptance,
    created: key.created,
    expires: key.expires,
    status,
    usage: [...key.usage],
  }
}
