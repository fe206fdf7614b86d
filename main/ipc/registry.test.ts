import { describe, expect, it } from 'vitest'
import { channels } from '../../preload/channels.ts'
import type { RegistryDeps } from './handler-deps.ts'
import { createHandlers } from './registry.ts'

/** Building the handlers touches none of the services; each is only called by a handler. */
const unused = () => {
  throw new Error('not called while the handlers are built')
}
const deps: RegistryDeps = {
  appInfo: {
    name: 'Siegelpost',
    version: '0',
    platform: 'linux',
    runtime: { node: '24', electron: null, chrome: null },
  },
  getVault: unused,
  now: () => new Date('2026-01-01T00:00:00Z'),
  technologies: [],
  chooseSavePath: unused,
  chooseOpenPaths: unused,
  writeClipboard: unused,
  transport: { profileDir: '/nonexistent', keychain: unused, owner: 'test' },
  getDrafts: unused,
  wkdFetcher: unused,
}

describe('the handler registry', () => {
  it('has exactly one handler per channel, composed from the domain files', async () => {
    const handlers = createHandlers(deps)
    expect(Object.keys(handlers).sort()).toEqual([...channels].sort())
    for (const channel of channels) expect(typeof handlers[channel], channel).toBe('function')
    expect(await handlers['app:info'](undefined)).toEqual(deps.appInfo)
  })
})
