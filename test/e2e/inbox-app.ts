import type { Page } from 'playwright-core'
import { keychainService } from '../../main/core/keys/secret-store.ts'
import { createOsKeychain } from '../../main/platform/os-keychain.ts'
import { stackAccountArgs, type MailStack } from '../helpers/mail-stack.ts'
import { runCli } from '../helpers/run-cli.ts'
import { e2eAppInfo, e2eKeySource, openApp, startHarness, type Harness } from './harness.ts'

type HarnessOptions = Omit<Parameters<typeof startHarness>[0], 'profileDir' | 'keySource' | 'appInfo'>

export interface InboxApp {
  harness: Harness
  page: Page
  /** Closes the window and removes the account's password from the test keyring. */
  close(): Promise<void>
}

/**
 * The app on the Posteingang for USER of the test mail stack: the account "kanzlei" added through the CLI (its
 * password in the OS keychain of the keyring session), then the window with the real registry, set-up skipped.
 */
export async function startInboxApp(
  stack: MailStack,
  account: { user: string; passwordFile: string; profileDir: string; lang: 'de' | 'en' },
  options: HarnessOptions = {},
): Promise<InboxApp> {
  const { user, passwordFile, profileDir, lang } = account
  const run = runCli([...stackAccountArgs(stack, 'kanzlei', user, passwordFile), '--profile', profileDir])
  if (run.status !== 0) throw new Error(`accounts add failed: ${run.stderr}`)
  const harness = await startHarness({ profileDir, keySource: e2eKeySource, appInfo: e2eAppInfo, ...options })
  await openApp(harness, lang, { skipSetup: true })
  return {
    harness,
    page: harness.page,
    async close() {
      await harness.close()
      await createOsKeychain()
        .delete(keychainService, `mail:${profileDir}:kanzlei`)
        .catch(() => false)
    },
  }
}
