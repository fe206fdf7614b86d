/**
 * Every IPC channel name (`domain:verb`), and nothing else. The sandboxed preload builds
 * `window.siegelpost` from this list alone, so this file imports nothing (no schema library in the
 * preload bundle). contract.ts gives each name its request and response schema; the type check
 * there fails when the two lists differ.
 *
 * A new channel: its name here, its schemas in the domain's block of contract.ts, its handler in
 * main/ipc/<domain>-handlers.ts (a new domain: a new file and one line in main/ipc/registry.ts),
 * and its method name in preload/surface.test.ts.
 */
export const channels = [
  'app:info',
  // keys and the vault
  'keys:list',
  'keys:inspect',
  'keys:import',
  'keys:verify',
  'keys:delete',
  'keys:generate',
  'keys:backup-start',
  'keys:backup-sheet',
  'keys:backup-save',
  'keys:backup-cancel',
  'keys:csr',
  'keys:revocation',
  'keys:copy-public',
  'keys:export-public',
  'keys:lookup',
  'keys:chain',
  'keys:share-draft',
  'vault:status',
  // accounts and Outbox (transport)
  'accounts:list',
  'accounts:add',
  'accounts:remove',
  'accounts:test',
  'outbox:list',
  'outbox:retry',
  'outbox:drop',
  // policy (Zwangs-TLS)
  'policy:show',
  'policy:set-requiretls',
  'policy:rule',
  'policy:tls-exception',
  'policy:consent',
  'policy:decide',
  // drafts
  'drafts:list',
  // mail (the read view)
  'mail:open',
  'mail:save-attachment',
  'mail:open-attachment',
  'mail:offered-key',
  'mail:close',
  'mail:container-open',
  'mail:container-save',
  'mail:export-eml',
  'mail:export-pdf',
  'mail:print',
  'mail:progress',
  'mail:cancel',
  // the Posteingang (synced local store)
  'mailbox:folders',
  'mailbox:list',
  'mailbox:delete',
  'mailbox:flag',
  'mailbox:sync',
  'mailbox:sync-status',
  'mailbox:changes',
  'mail:reply',
  // the consent register (Mandanten page) and a received password PDF
  'consent:list',
  'consent:record',
  'consent:letter',
  'consent:export',
  'container:choose',
  'container:open',
  'container:save-attachment',
  'container:close',
  'drafts:load',
  'drafts:save',
  'drafts:delete',
  // the composer
  'compose:plan',
  'compose:send',
  'compose:attach',
  'compose:detach',
  'compose:signature',
  'compose:set-signature',
  'compose:password-show',
  'compose:password-copy',
  'compose:password-letter',
  'compose:password-forget',
] as const

export type Channel = (typeof channels)[number]
