import { createAppCore, type AppCoreOptions } from '../../main/app-core.ts'

/**
 * The app's core as the mailbox integration suites run it: a passphrase vault, no window (no save dialog, no
 * clipboard), new mail watched with a short poll; `extra` adds or overrides options (watchMail, notify).
 */
export function watchingCore(profileDir: string, passphrase: string, extra: Partial<AppCoreOptions> = {}) {
  return createAppCore({
    profileDir,
    keySource: async () => ({ mode: 'passphrase', passphrase: Buffer.from(passphrase) }),
    appInfo: {
      name: 'Siegelpost',
      version: 'test',
      platform: 'linux',
      runtime: { node: '', electron: null, chrome: null },
    },
    trustedOrigins: [],
    chooseSavePath: async () => null,
    writeClipboard: async () => undefined,
    watchMail: true,
    watchPollMs: 300,
    ...extra,
  })
}
