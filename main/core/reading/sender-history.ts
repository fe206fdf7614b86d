import { z } from 'zod'

/**
 * What Siegelpost remembers about the people who wrote: per address, whether a mail from it was
 * seen before and which key or certificate last signed validly for it. Kept inside the vault
 * (sealed like the keys) so nobody can reset it on disk to hide a changed key.
 */
const KeyRefSchema = z.object({ technology: z.enum(['openpgp', 'smime']), fingerprint: z.string() })
export type KeyRef = z.infer<typeof KeyRefSchema>

export const SenderRecordSchema = z.object({
  address: z.string(),
  firstSeen: z.string(),
  /** SHA-256 of the first message seen from the address: opening that mail again is still a first contact. */
  firstMessage: z.string(),
  lastSeen: z.string(),
  /** The key that last signed validly for the address. */
  key: KeyRefSchema.nullable(),
  previousKey: KeyRefSchema.nullable(),
  /** The message that brought the current key when it replaced another one: it keeps its warning. */
  keyChangedBy: z.string().nullable(),
})
export type SenderRecord = z.infer<typeof SenderRecordSchema>

export interface SenderObservation {
  /** The single From address; with none or several there is no history to speak of. */
  address: string
  /** SHA-256 (hex) of the raw message. */
  messageDigest: string
  /** The key of a valid signature that names this address; null when the mail is not validly signed. */
  signerKey: KeyRef | null
  now: Date
}

export interface SenderVerdict {
  isFirstContact: boolean
  isKeyChanged: boolean
  previousKey: KeyRef | null
  /** The record to store (unchanged fields kept). */
  next: SenderRecord
}

const sameKey = (a: KeyRef | null, b: KeyRef | null) =>
  a !== null &&
  b !== null &&
  a.technology === b.technology &&
  a.fingerprint.toUpperCase() === b.fingerprint.toUpperCase()

export const normalizeAddress = (address: string) => address.trim().toLowerCase()

/** Compares the mail with the history; pure, so every case is a plain unit test. */
export function observeSender(records: readonly SenderRecord[], observation: SenderObservation): SenderVerdict {
  const address = normalizeAddress(observation.address)
  const now = observation.now.toISOString()
  const record = records.find((r) => r.address === address)
  if (!record) {
    return {
      isFirstContact: true,
      isKeyChanged: false,
      previousKey: null,
      next: {
        address,
        firstSeen: now,
        firstMessage: observation.messageDigest,
        lastSeen: now,
        key: observation.signerKey,
        previousKey: null,
        keyChangedBy: null,
      },
    }
  }
  const isFirstContact = record.firstMessage === observation.messageDigest
  const next: SenderRecord = { ...record, lastSeen: now }
  let isKeyChanged = false
  const signer = observation.signerKey
  if (signer) {
    if (record.key === null) next.key = signer
    else if (!sameKey(record.key, signer)) {
      // A mail signed by the old key again after a change (an older mail opened late) changes nothing back.
      if (sameKey(record.previousKey, signer) && record.keyChangedBy !== null) isKeyChanged = true
      else {
        isKeyChanged = true
        next.previousKey = record.key
        next.key = signer
        next.keyChangedBy = observation.messageDigest
      }
    } else if (record.keyChangedBy === observation.messageDigest) isKeyChanged = true
  }
  return {
    isFirstContact,
    isKeyChanged,
    previousKey: isKeyChanged ? (sameKey(next.key, signer) ? next.previousKey : next.key) : null,
    next,
  }
}

/** Replaces or adds the record for its address. */
export function withRecord(records: readonly SenderRecord[], record: SenderRecord): SenderRecord[] {
  return [...records.filter((r) => r.address !== record.address), record]
}

/**
 * The history as a hook of the shape `open` asks for (`context.senderHistory`: sender address and
 * the key of a valid signature in, `{ code, params }` warnings out). The record to store goes to
 * `keep`; the caller writes it to the vault after the open.
 */
export function senderHistoryHook(
  records: readonly SenderRecord[],
  messageDigest: string,
  now: Date,
  keep: (record: SenderRecord, verdict: SenderVerdict) => void,
) {
  return (sender: {
    address: string | null
    signer: { technology: 'openpgp' | 'smime'; fingerprint: string } | null
  }) => {
    if (sender.address === null) return []
    const verdict = observeSender(records, {
      address: sender.address,
      messageDigest,
      signerKey: sender.signer
        ? { technology: sender.signer.technology, fingerprint: sender.signer.fingerprint }
        : null,
      now,
    })
    keep(verdict.next, verdict)
    const params = { address: verdict.next.address }
    return [
      ...(verdict.isKeyChanged ? [{ code: 'sender-key-changed' as const, params }] : []),
      ...(verdict.isFirstContact ? [{ code: 'first-contact' as const, params }] : []),
    ]
  }
}
