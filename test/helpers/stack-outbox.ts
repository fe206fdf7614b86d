import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { defaultPolicy } from '../../main/core/policy/policy-settings.ts'
import type { Account } from '../../main/core/transport/account-schema.ts'
import { isProcessAlive, Outbox } from '../../main/core/transport/outbox.ts'
import type { SendDeps } from '../../main/core/transport/send.ts'

/** The core's Outbox of `profileDir` sealed with `key`, worked on by `owner` (this process unless given). */
export const openKeyedOutbox = (profileDir: string, key: Buffer, owner = String(process.pid)) =>
  new Outbox({ profileDir, key, now: () => new Date(), owner, isAlive: isProcessAlive })

/** The names of the sealed chunk files of a profile's Outbox (none before the first entry). */
export function outboxFiles(profileDir: string): string[] {
  try {
    return readdirSync(join(profileDir, 'outbox-files'))
  } catch {
    return []
  }
}

/**
 * What the core's send needs to send as the stack's advisor: `account` (a stack user's, see stackUserAccount) with
 * the advisor's password, the default policy, and `appendSent` for the Sent item.
 */
export const advisorSendDeps = (outbox: Outbox, account: Account, appendSent: SendDeps['appendSent']): SendDeps => ({
  outbox,
  account: async () => account,
  password: async () => 'advisor-pw',
  policy: async () => defaultPolicy(),
  appendSent,
  now: () => new Date(),
})
