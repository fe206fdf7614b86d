import { createHmac, createSecretKey, randomUUID } from 'node:crypto'
import type { DatabaseSync } from 'node:sqlite'
import { sealBlob } from '../../main/core/store/sealed-blob.ts'
import { envelopeOf } from '../../main/core/mailbox/envelope.ts'
import type { EnvelopeRow } from '../../main/core/mailbox/mail-store-schema.ts'

/**
 * For migration tests: writes messages 1…n of folder INBOX (account "acc", UIDVALIDITY 1) as the store before
 * schema step 6 wrote them — random ids, `ref` a keyed hash of the place, envelope and raw sealed each on its own —
 * into an opened older schema. Returns the ids in UID order.
 */
export function insertOldLayoutRows(
  db: DatabaseSync,
  key: Buffer,
  box: string,
  n: number,
  mail: (uid: number) => Buffer,
): string[] {
  const secret = createSecretKey(key)
  const hash = (...parts: unknown[]) => createHmac('sha256', key).update(JSON.stringify(parts)).digest('hex')
  const insert = db.prepare(
    'INSERT INTO messages (id, ref, fetched, meta, raw, box, validity, uid, digest, envelope, rawfile) ' +
      "VALUES (?, ?, ?, x'', ?, ?, '1', ?, NULL, ?, 0)",
  )
  const ids: string[] = []
  for (let uid = 1; uid <= n; uid++) {
    const id = randomUUID()
    const raw = mail(uid)
    const row: EnvelopeRow = {
      id,
      account: 'acc',
      folder: 'INBOX',
      uidValidity: '1',
      uid,
      size: raw.length,
      flags: [],
      protectedSubject: null,
      fetched: '2026-11-25T09:00:00.000Z',
      ...envelopeOf(raw),
    }
    const seal = (value: Buffer, column: string) => sealBlob(secret, value, `siegelpost/messages/v1/${id}/${column}`)
    const envelope = seal(Buffer.from(JSON.stringify(row)), 'envelope')
    insert.run(id, hash('acc', 'INBOX', '1', uid), row.fetched, seal(raw, 'raw'), box, uid, envelope)
    ids.push(id)
  }
  return ids
}
