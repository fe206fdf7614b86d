import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openVault, type Vault } from '../core/keys/vault.ts'
import { ClientPasswordStore, clientPasswordsFileName } from '../core/policy/client-passwords.ts'
import type { RegistryDeps } from './handler-deps.ts'
import { createHandlers } from './registry.ts'

const unused = () => {
  throw new Error('not used here')
}

describe('the consent handlers', () => {
  let dir: string
  let vault: Vault
  let handlers: ReturnType<typeof createHandlers>
  const saved: string[] = []
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sp-consent-ipc-'))
    vault = await openVault({ profileDir: dir, keySource: { mode: 'passphrase', passphrase: Buffer.from('test') } })
    const deps: RegistryDeps = {
      appInfo: {
        name: 'Siegelpost',
        version: '0',
        platform: 'linux',
        runtime: { node: '24', electron: null, chrome: null },
      },
      getVault: async () => vault,
      now: () => new Date('2026-12-04T10:00:00Z'),
      technologies: [],
      chooseSavePath: async ({ suggestedName }) => (saved.push(suggestedName), join(dir, suggestedName)),
      chooseOpenPaths: async () => [],
      writeClipboard: unused,
      transport: { profileDir: dir, keychain: unused, owner: 'test' },
      getDrafts: unused,
      wkdFetcher: unused,
    }
    handlers = createHandlers(deps)
  })
  afterAll(async () => rm(dir, { recursive: true, force: true }))
  const passwords = () => new ClientPasswordStore(dir, vault)

  it('refuses a weak standing password with its reason and stores nothing', async () => {
    const answer = await handlers['consent:record']({
      target: 'a@m.test',
      channel: 'container',
      by: 'Anna',
      password: '1234567890ab',
    })
    expect(answer).toEqual({ refused: 'too-weak', consents: [] })
    await expect(readFile(join(dir, clientPasswordsFileName))).rejects.toThrow()
  })

  it('keeps a standing password apart and never returns it; keeps or deletes it on a change', async () => {
    const strong = 'Kompass-Rotkehlchen-Wanderweg'
    const first = await handlers['consent:record']({
      target: 'A@M.test',
      channel: 'container',
      by: 'Anna',
      password: strong,
      transmitted: 'phone',
      transmittedOn: '2026-12-03',
    })
    expect(first.refused).toBeNull()
    expect(JSON.stringify(first)).not.toContain(strong)
    expect(first.consents).toMatchObject([
      { address: 'a@m.test', hasPassword: true, transmitted: 'phone', transmittedOn: '2026-12-03T23:59:59.999Z' },
    ])
    expect(await passwords().get('a@m.test')).toBe(strong)

    const kept = await handlers['consent:record']({
      target: 'a@m.test',
      channel: 'container',
      by: 'Carla',
      keepPassword: true,
    })
    expect(kept.consents.map((c) => [c.hasPassword, c.current])).toEqual([
      [true, false],
      [true, true],
    ])
    expect(await passwords().get('a@m.test')).toBe(strong)

    const changed = await handlers['consent:record']({
      target: 'a@m.test',
      channel: 'tls',
      by: 'Carla',
      keepPassword: true,
    })
    expect(changed.consents.at(-1)).toMatchObject({ channel: 'tls', hasPassword: false, current: true })
    expect(await passwords().get('a@m.test')).toBeNull()
  })

  it('takes a standing password for the password PDF only', async () => {
    await expect(
      handlers['consent:record']({
        target: 'b@m.test',
        channel: 'tls',
        by: 'Anna',
        password: 'Kompass-Rotkehlchen-Wanderweg',
      }),
    ).rejects.toMatchObject({ code: 'USAGE_BAD_VALUE' })
  })

  it('writes the letter and the register where the user chose', async () => {
    expect(await handlers['consent:letter']({ target: 'a@m.test' })).toEqual({
      saved: true,
      fileName: 'Einwilligung-a@m.test.pdf',
    })
    expect(await handlers['consent:export']({ format: 'csv', lang: 'de' })).toEqual({
      saved: true,
      fileName: 'Einwilligungsregister-2026-12-04.csv',
    })
    const csv = await readFile(join(dir, 'Einwilligungsregister-2026-12-04.csv'), 'utf8')
    expect(csv.startsWith('\uFEFFaddress;channel;')).toBe(true)
    expect((await readFile(join(dir, 'Einwilligung-a@m.test.pdf'))).subarray(0, 5).toString()).toBe('%PDF-')
  })
})
