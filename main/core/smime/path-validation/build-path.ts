import type * as pkijs from 'pkijs'
import { limits } from '../../limits.ts'
import { sameName } from './names.ts'

export interface CandidatePath {
  anchor: pkijs.Certificate
  /** From the certificate the anchor issued down to the target. */
  path: pkijs.Certificate[]
}

/** At most this many candidate paths are tried (a hostile pool of cross-certificates stays cheap). */
const maxCandidatePaths = 32

/**
 * Path building: every chain of names from the target up through the untrusted pool to an anchor
 * (by subject/issuer name; signatures are checked by path processing), shortest first. A
 * self-issued certificate with an anchor's name (key rollover) is an ordinary step.
 */
export function candidatePaths(
  target: pkijs.Certificate,
  pool: pkijs.Certificate[],
  anchors: pkijs.Certificate[],
): CandidatePath[] {
  const out: CandidatePath[] = []
  const walk = (chain: pkijs.Certificate[]) => {
    if (out.length >= maxCandidatePaths || chain.length > limits.certPathMaxLength) return
    const top = chain[0]!
    for (const anchor of anchors) if (sameName(anchor.subject, top.issuer)) out.push({ anchor, path: chain })
    for (const candidate of pool) {
      if (chain.includes(candidate) || !sameName(candidate.subject, top.issuer)) continue
      walk([candidate, ...chain])
    }
  }
  walk([target])
  return out.sort((a, b) => a.path.length - b.path.length)
}
