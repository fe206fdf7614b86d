import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppCore } from '../../main/app-core.ts'
import { channels, type Channel } from '../../preload/contract.ts'
import { memorySecretStore } from '../helpers/memory-secret-store.ts'

/**
 * Attack: get an account's mail password back out of main — through any IPC channel (a response, an
 * error text) or from the profile folder on disk. The password crosses IPC once, inward, in
 * `accounts:add`; after that no channel may return it, and no profile file holds it in clear.
 */
const password = 'Geheim-Postfach-3e8b1d'
const sender = { url: 'app://siegelpost/index.html', isMainFrame: true }

/** A plausible request for every channel that takes one (others get none; unknown ones are refused). */
const requests: Partial<Record<Channel, unknown>> = {
  'accounts:test': { name: 'kanzlei' },
  'outbox:retry': { outboxId: '00000000-0000-4000-8000-000000000000' },
  'outbox:drop': { outboxId: '00000000-0000-4000-8000-000000000000' },
  'policy:set-requiretls': { value: 'require' },
  'policy:rule': { target: 'kanzlei.test', require: 'requiretls' },
  'policy:tls-exception': { target: 'alt.test', reason: 'Altsystem', by: 'Anna' },
  'policy:consent': { address: 'bernd@mandant.test', channel: 'tls', by: 'Anna' },
  'policy:decide': { account: 'kanzlei', recipients: ['bernd@mandant.test'], isEndToEnd: false },
  'keys:verify': { id: 'kanzlei', fingerprint: password },
  'keys:delete': { id: 'kanzlei' },
  'keys:backup-start': { id: 'kanzlei' },
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}

describe('the account password never leaves main', () => {
  let dir: string
  const responses: unknown[] = []
  for (const mode of ['keychain', 'passphrase'] as const) {
    describe(`with a ${mode} vault`, () => {
      let core: ReturnType<typeof createAppCore>
      const keychain = memorySecretStore()
      beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), `sp-pw-leak-${mode}-`))
        core = createAppCore({
          profileDir: dir,
          keySource: async () =>
            mode === 'keychain' ? { mode, store: keychain } : { mode, passphrase: Buffer.from('tresor-passwort') },
          appInfo: {
            name: 'Siegelpost',
            version: '0',
            platform: 'linux',
            runtime: { node: '24', electron: null, chrome: null },
          },
          trustedOrigins: ['app://siegelpost'],
          chooseSavePath: async () => null,
          writeClipboard: async () => undefined,
        })
        const added = await core.dispatch('accounts:add', sender, {
          name: 'kanzlei',
          email: 'anna@kanzlei.test',
          user: 'anna@kanzlei.test',
          password,
          // Port 9 on loopback: nothing listens, so accounts:test and retries fail fast with a reason.
          smtp: { host: '127.0.0.1', port: 9, security: 'tls' },
          imap: { host: '127.0.0.1', port: 9, security: 'tls' },
        })
        expect(added).toMatchObject({ ok: true })
        responses.push(added)
      })
      afterAll(() => rmSync(dir, { recursive: true, force: true }))

      it('is in no response of any channel, nor in any error', async () => {
        for (const channel of channels) responses.push(await core.dispatch(channel, sender, requests[channel]))
        // The same account again: the error must not echo the request.
        responses.push(
          await core.dispatch('accounts:add', sender, {
            name: 'kanzlei',
            email: 'a@b.test',
            user: 'u',
            password,
            smtp: { host: 'x.test', port: 465 },
            imap: { host: 'x.test', port: 993 },
          }),
        )
        expect(responses.at(-1)).toMatchObject({ ok: false, error: { code: 'ACCOUNT_EXISTS' } })
        const all = JSON.stringify(responses)
        // The channels really answered about this account (so the search below searched something).
        expect(all).toContain('"name":"kanzlei"')
        expect(all).toContain('"account":"kanzlei","smtp":{"ok":false')
        expect(all).not.toContain(password)
        expect(all).not.toContain(Buffer.from(password).toString('base64'))
        expect(all).not.toContain(Buffer.from(password).toString('hex'))
      })

      it('is in no file of the profile in clear', () => {
        const needle = Buffer.from(password)
        for (const file of filesUnder(dir)) expect(readFileSync(file).includes(needle), file).toBe(false)
      })
    })
  }
})
