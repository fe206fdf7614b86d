import { sealBlob, sealJson } from '../../main/core/store/sealed-blob.ts'
import { openVersionedDatabase } from '../../main/core/store/sqlite.ts'
import { outboxMigrations } from '../../main/core/transport/outbox.ts'

/**
 * An Outbox file as schema step 2 wrote it, with one queued entry "old": the row with an empty message and the
 * sealed message in `outbox_message` (step 3 moved messages to chunk files). For the upgrade tests.
 */
export function writeStep2QueuedEntry(path: string, key: Buffer, envelope: object, message: Buffer): void {
  const step2 = openVersionedDatabase(path, outboxMigrations.slice(0, 2))
  const ctx = (column: string) => `siegelpost/outbox/v1/old/${column}`
  try {
    step2
      .prepare(
        'INSERT INTO outbox (id, state, created, updated, attempts, owner, envelope, message, outcome) ' +
          "VALUES ('old', 'queued', 'c', 'u', 0, NULL, ?, x'', NULL)",
      )
      .run(sealJson(key, envelope, ctx('envelope')))
    step2
      .prepare("INSERT INTO outbox_message (id, message) VALUES ('old', ?)")
      .run(sealBlob(key, message, ctx('message')))
  } finally {
    step2.close()
  }
}
