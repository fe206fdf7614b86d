import type { SecretStore } from '../../main/core/keys/secret-store.ts'
import type { Vault } from '../../main/core/keys/vault.ts'
import { enqueueAndSend } from '../../main/core/transport/send.ts'
import { sendDepsOf, withOutbox, type TransportProfile } from '../../main/core/transport/transport-profile.ts'

/** A profile's transport side as `siegelpost send` opens it, in this process (the Outbox owner is this pid). */
export function sendingProfile(
  profileDir: string,
  vault: Vault,
  keychain: () => Promise<SecretStore>,
): TransportProfile {
  return { profileDir, vault, keychain, now: () => new Date(), owner: String(process.pid) }
}

/**
 * `siegelpost send mail.eml --account ACCOUNT` done with the core's send: the message becomes an Outbox entry,
 * then goes out or is held with its reason — what the window's Postausgang then lists.
 */
export const sendThroughOutbox = (profile: TransportProfile, raw: Buffer, account: string) =>
  withOutbox(profile, async (outbox) => enqueueAndSend(sendDepsOf(profile, outbox), raw, 'mail.eml', account))
