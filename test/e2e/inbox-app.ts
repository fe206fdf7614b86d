import { dirname } from 'node:path'
import type { Page } from 'playwright-core'
import { stackAccountArgs, writeStackPassword, type MailStack } from '../helpers/mail-stack.ts'
import { runCli } from '../helpers/run-cli.ts'
import { e2eAppInfo, e2eKeySource, openApp, startHarness, type Harness } from './harness.ts'
import { forgetAccountPassword } from './keychain-account.ts'

type HarnessOptions = Omit<Parameters<typeof startHarness>[0], 'profileDir' | 'keySource' | 'appInfo'>

export interface InboxApp {
  harness: Harness
  page: Page
  /** Closes the window and removes the account's password from the test keyring. */
  close(): Promise<void>
}

/**
 * The app on the Posteingang for USER of the test mail stack: the account "kanzlei" added through the CLI (its
 * password, written beside the profile folder first, in the OS keychain of the keyring session), then the window
 * with the real registry, set-up skipped.
 */
export async function startInboxApp(
  stack: MailStack,
  account: { user: string; profileDir: string; lang: 'de' | 'en' },
  options: HarnessOptions = {},
): Promise<InboxApp> {
  const { user, profileDir, lang } = account
  const passwordFile = writeStackPassword(dirname(profileDir), user)
  const run = runCli([...stackAccountArgs(stack, 'kanzlei', user, passwordFile), '--profile', profileDir])
  if (run.status !== 0) throw new Error(`accounts add failed: ${run.stderr}`)
  const harness = await startHarness({ profileDir, keySource: e2eKeySource, appInfo: e2eAppInfo, ...options })
  await openApp(harness, lang, { skipSetup: true })
  return {
    harness,
    page: harness.page,
    async close() {
      await harness.close()
      await forgetAccountPassword(profileDir)
    },
  }
}
