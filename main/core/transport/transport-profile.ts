import type { SecretStore } from '../keys/secret-store.ts'
import type { Vault } from '../keys/vault.ts'
import { evaluatePolicy, unknownPosture, type DomainPosture, type PolicyDecision } from '../policy/evaluate.ts'
import { PolicyStore } from '../policy/policy-settings.ts'
import { AccountStore } from './account.ts'
import { checkDomain, createPolicyFetch, createResolver, type DomainCheckDeps } from './domain-check.ts'
import { MtaStsCacheFile } from './mta-sts-cache.ts'
import { isProcessAlive, Outbox, type OutboxEntry, type Reason } from './outbox.ts'
import { appendGroupSentItem, attempt, posturesFor, type SendDeps } from './send.ts'

/**
 * The transport side of one profile, as both the CLI commands and the app's IPC handlers use it:
 * accounts, the Outbox (crash recovery first, always closed again), the policy and the send
 * dependencies. One place, so the CLI and the app cannot drift apart.
 */
export interface TransportProfile {
  profileDir: string
  vault: Vault
  /** The OS keychain (account passwords in keychain-mode vaults); opened only when needed. */
  keychain: () => Promise<SecretStore>
  now: () => Date
  /** Who works on Outbox entries (the process id). */
  owner: string
  /** The resolver for the recipient-domain check (`SIEGELPOST_DNS=HOST[:PORT]`, e.g. a test server); the system's first one otherwise. Only a loopback resolver's DNSSEC AD bit counts. */
  dnsServer?: string | undefined
}

export const accountStoreOf = (p: TransportProfile) =>
  new AccountStore({ profileDir: p.profileDir, vault: p.vault, keychain: p.keychain })
export const policyStoreOf = (p: TransportProfile) => new PolicyStore(p.profileDir, p.vault)

/** Open the Outbox, run crash recovery first (possibly-sent entries of a crashed run are held), and always close it. */
export async function withOutbox<T>(p: TransportProfile, use: (outbox: Outbox) => Promise<T>): Promise<T> {
  const outbox = new Outbox({
    profileDir: p.profileDir,
    key: p.vault.deriveKey('outbox'),
    now: p.now,
    owner: p.owner,
    isAlive: isProcessAlive,
  })
  try {
    outbox.recover()
    return await use(outbox)
  } finally {
    outbox.close()
  }
}

/** The recipient domain's posture from check-domain (MTA-STS, DANE). */
export function postureChecker(p: TransportProfile): (domain: string) => Promise<DomainPosture> {
  return async (domain) => (await checkDomain(domain, domainCheckDeps(p))).posture
}

/** check-domain's resolver (the system's, or a test DNS server on loopback), policy fetcher and the profile's MTA-STS cache (none without a vault). */
export function domainCheckDeps(
  p: Pick<TransportProfile, 'profileDir' | 'now' | 'dnsServer'> & { vault: Vault | null },
): DomainCheckDeps {
  const dns = createResolver(p.dnsServer)
  // With a test DNS server, the policy host is looked up there too (loopback only).
  const fetch = createPolicyFetch(p.dnsServer ? { resolve: async (host) => (await dns.resolveA(host))[0]! } : {})
  const cache =
    p.vault === null ? undefined : new MtaStsCacheFile(p.profileDir, p.vault.deriveKey('mta-sts-cache'), p.now)
  return { dns, fetch, cache, now: p.now }
}

export function sendDepsOf(p: TransportProfile, outbox: Outbox): SendDeps {
  const accounts = accountStoreOf(p)
  const policy = policyStoreOf(p)
  return {
    outbox,
    account: (name) => accounts.get(name),
    password: (account) => accounts.password(account),
    policy: () => policy.load(),
    // Loaded when a Sent copy is appended, not with the command (see send.ts on the SMTP client).
    appendSent: async (...args) => (await import('./imap-append.ts')).appendStreamed(...args),
    checkPosture: postureChecker(p),
    now: p.now,
  }
}

/**
 * Entries released by crash recovery get their one more try, and Sent items whose APPEND failed or was cut
 * off (the mail itself went out) another one.
 */
export async function retryReleased(deps: SendDeps): Promise<void> {
  deps.outbox.recover()
  for (const id of deps.outbox.pendingRetries()) await attempt(deps, id).catch(() => undefined)
  for (const groupId of deps.outbox.dueSentItems()) {
    try {
      const [first] = deps.outbox.group(groupId).entries
      const account = await deps.account(deps.outbox.get(first!).envelope.account)
      await appendGroupSentItem(deps, groupId, account, await deps.password(account))
    } catch {
      // The account is gone or locked: the item stays due for a later run.
    }
  }
}

/**
 * What the composer shows before sending: the policy engine's decision and reasons per recipient, with the
 * server's REQUIRETLS offer not yet known (decided again after EHLO when sending).
 */
export async function previewPolicy(
  p: TransportProfile,
  request: { account: string | null; recipients: readonly string[]; isEndToEnd: boolean },
  check: ((domain: string) => Promise<DomainPosture>) | undefined = postureChecker(p),
): Promise<PolicyDecision> {
  const settings = await policyStoreOf(p).load()
  const submissionHost = request.account === null ? '' : (await accountStoreOf(p).get(request.account)).smtp.host
  const recipients = request.recipients.map((r) => r.trim())
  const postures = await posturesFor(settings, recipients, check)
  return evaluatePolicy({
    settings,
    submissionHost,
    recipients,
    isEndToEnd: request.isEndToEnd,
    serverOffersRequireTls: null,
    posture: (domain) => postures.get(domain) ?? unknownPosture,
    now: p.now(),
  })
}

/** An Outbox entry as the CLI's `outbox list --json` and the app show it; the reason stays a code + params here. */
export function outboxEntryView(entry: OutboxEntry) {
  return {
    outboxId: entry.id,
    state: entry.state,
    reason: entry.outcome.reason as Reason | null,
    account: entry.envelope.account,
    messageId: entry.envelope.messageId,
    created: entry.created,
    updated: entry.updated,
    subject: entry.envelope.subject,
    recipients: entry.envelope.recipients,
    attempts: entry.attempts,
    sentCopy: entry.outcome.append,
    /** The copies of one mail share it (compose --send); null for a mail sent on its own. */
    groupId: entry.groupId,
    protection: entry.envelope.protection ?? null,
    /** The consents that allowed this copy without end-to-end encryption, per recipient. */
    consents: entry.envelope.consents ?? [],
  }
}
