/**
 * Tests that need an outside thing (a keychain session, Chromium, a build) call this to decide
 * whether to skip. In CI (`CI=true`) a missing thing fails the run instead of skipping quietly.
 */
export function skipUnless(what: string, available: boolean, fix: string): boolean {
  if (available) return false
  if (process.env.CI === 'true') throw new Error(`${what} is required in CI but missing: ${fix}`)
  console.warn(`skipped: ${what} is not available here (${fix})`)
  return true
}

/** A Secret Service session is there when the tests run under test/helpers/with-keyring.sh. */
export const hasKeyringSession = Boolean(
  process.env.DBUS_SESSION_BUS_ADDRESS && process.env.SIEGELPOST_TEST_KEYRING === '1',
)
