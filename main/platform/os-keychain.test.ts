import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { hasKeyringSession, skipUnless } from '../../test/helpers/needs.ts'
import { createOsKeychain, keychainError } from './os-keychain.ts'

describe('keychain error mapping', () => {
  it.each([
    [
      'Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time',
      'KEYCHAIN_UNAVAILABLE',
    ],
    [
      'zbus error: Failed to connect to address `unix:path=/run/user/0/bus`: No such file or directory (os error 2)',
      'KEYCHAIN_UNAVAILABLE',
    ],
    ["Couldn't access platform storage: Secret Service: no result found", 'KEYCHAIN_LOCKED'],
    ['something else entirely', 'KEYCHAIN_FAILED'],
  ])('maps "%s" to %s', (message, code) => {
    expect(keychainError(new Error(message)).code).toBe(code)
  })
})

describe.skipIf(
  skipUnless('a gnome-keyring session', hasKeyringSession, 'run through npm test (test/helpers/with-keyring.sh)'),
)('OS keychain (real gnome-keyring over Secret Service)', () => {
  it('stores, reads back and deletes a secret', async () => {
    const keychain = createOsKeychain()
    const account = `test:${randomUUID()}`
    expect(await keychain.get('Siegelpost', account)).toBeNull()
    await keychain.set('Siegelpost', account, 'c2lnbmVkIGFuZCBzZWFsZWQ=')
    expect(await keychain.get('Siegelpost', account)).toBe('c2lnbmVkIGFuZCBzZWFsZWQ=')
    expect(await keychain.delete('Siegelpost', account)).toBe(true)
    expect(await keychain.get('Siegelpost', account)).toBeNull()
  })
})
