import { describe, expect, it } from 'vitest'
import { channels } from '../../preload/channels.ts'
import { SiegelpostError } from '../core/errors/index.ts'
import { createDispatcher, isTrustedSender, type Handlers } from './dispatch.ts'

const appInfo = {
  name: 'Siegelpost',
  version: '1.0.0',
  platform: 'linux',
  runtime: { node: '24', electron: null, chrome: null },
}
const trusted = { url: 'app://siegelpost/index.html', isMainFrame: true }
const vaultInfo = {
  mode: 'keychain' as const,
  path: '/p/vault.sgpv',
  generation: 1,
  savedAt: '2026-01-01T00:00:00.000Z',
  keyCount: 0,
}

// Every other channel answers with an error: these tests are about the dispatcher, not the handlers.
const notHere = async () => Promise.reject(new SiegelpostError('INTERNAL', { reason: 'test' }))
const stubs = Object.fromEntries(channels.map((channel) => [channel, notHere])) as unknown as Handlers

function dispatcher(overrides: Partial<Handlers> = {}) {
  const calls: string[] = []
  const log: { channel: string; code: string }[] = []
  const handlers: Handlers = {
    ...stubs,
    'app:info': async () => (calls.push('app:info'), appInfo),
    'keys:list': async () => (calls.push('keys:list'), []),
    'vault:status': async () => (calls.push('vault:status'), vaultInfo),
    ...overrides,
  }
  return {
    dispatch: createDispatcher({ handlers, trustedOrigins: ['app://siegelpost'], log: (e) => log.push(e) }),
    calls,
    log,
  }
}

describe('IPC sender check', () => {
  it.each([
    ['another origin', { url: 'https://evil.example/index.html', isMainFrame: true }],
    ['a look-alike host', { url: 'app://siegelpost.evil/index.html', isMainFrame: true }],
    ['a sub-frame of our own page', { url: 'app://siegelpost/index.html', isMainFrame: false }],
    ['a file:// page', { url: 'file:///tmp/index.html', isMainFrame: true }],
    ['no URL at all', { url: '', isMainFrame: true }],
  ])('refuses %s without running the handler', async (_name, sender) => {
    const { dispatch, calls, log } = dispatcher()
    const result = await dispatch('keys:list', sender, undefined)
    expect(result).toMatchObject({ ok: false, error: { code: 'IPC_UNTRUSTED_SENDER', kind: 'bug' } })
    expect(calls).toEqual([])
    expect(log).toEqual([{ channel: 'keys:list', code: 'IPC_UNTRUSTED_SENDER', kind: 'bug' }])
  })

  it('accepts our own main frame', () => {
    expect(isTrustedSender(trusted, ['app://siegelpost'])).toBe(true)
    expect(isTrustedSender({ url: 'http://127.0.0.1:5173/', isMainFrame: true }, ['http://127.0.0.1:5173'])).toBe(true)
  })
})

describe('IPC payload check', () => {
  it.each([
    ['an object where none is expected', { channel: 'keys:list' }],
    ['a string', 'keys'],
    ['a prototype-polluting object', JSON.parse('{"__proto__":{"admin":true}}')],
  ])('refuses %s', async (_name, payload) => {
    const { dispatch, calls } = dispatcher()
    const result = await dispatch('keys:list', trusted, payload)
    expect(result).toMatchObject({ ok: false, error: { code: 'IPC_BAD_REQUEST' } })
    expect(calls).toEqual([])
  })

  it.each([
    ['an unknown field', { fileName: 'a.asc', data: 'AAAA', path: '/etc/shadow' }],
    ['data that is not base64', { fileName: 'a.asc', data: 'not base64!' }],
    ['an empty passphrase', { fileName: 'a.asc', data: 'AAAA', passphrase: '' }],
    ['a file name of 1000 characters', { fileName: 'x'.repeat(1000), data: 'AAAA' }],
  ])('refuses a key file request with %s', async (_name, payload) => {
    const { dispatch } = dispatcher()
    expect(await dispatch('keys:import', trusted, payload)).toMatchObject({
      ok: false,
      error: { code: 'IPC_BAD_REQUEST' },
    })
  })

  it('refuses channels outside the contract, including inherited names', async () => {
    const { dispatch } = dispatcher()
    for (const channel of ['keys:export-secret', 'toString', '__proto__', 'constructor']) {
      expect(await dispatch(channel, trusted, undefined)).toMatchObject({
        ok: false,
        error: { code: 'IPC_UNKNOWN_CHANNEL' },
      })
    }
  })
})

describe('IPC results', () => {
  it('returns { ok, value } for a good call', async () => {
    const { dispatch } = dispatcher()
    expect(await dispatch('app:info', trusted, undefined)).toEqual({ ok: true, value: appInfo })
  })

  it('strips anything the contract does not name from a response, so key material cannot leak', async () => {
    const leaky = { ...vaultInfo, masterKey: 'c2VjcmV0' }
    const { dispatch } = dispatcher({ 'vault:status': async () => leaky })
    const result = await dispatch('vault:status', trusted, undefined)
    expect(result).toEqual({ ok: true, value: vaultInfo })
    expect(JSON.stringify(result)).not.toContain('c2VjcmV0')
  })

  it('turns a user error into { ok: false } with German and English text', async () => {
    const { dispatch } = dispatcher({ 'keys:list': async () => Promise.reject(new SiegelpostError('KEYCHAIN_LOCKED')) })
    const result = await dispatch('keys:list', trusted, undefined)
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'KEYCHAIN_LOCKED',
        kind: 'user',
        message: { de: expect.stringContaining('gesperrt'), en: expect.stringContaining('locked') },
      },
    })
  })

  it('turns an unexpected exception into INTERNAL without its message or stack', async () => {
    const { dispatch, log } = dispatcher({
      'keys:list': async () => Promise.reject(new Error('/home/anna/private path and secret')),
    })
    const result = await dispatch('keys:list', trusted, undefined)
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL', kind: 'bug' } })
    expect(JSON.stringify(result)).not.toContain('secret')
    expect(log).toHaveLength(1)
  })
})
