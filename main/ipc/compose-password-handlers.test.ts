import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { composePasswordHandlers, GeneratedPasswords } from './compose-password-handlers.ts'
import type { RegistryDeps } from './handler-deps.ts'

/** Generated passwords after a send: shown once, copied and taken off the clipboard again, printed, forgotten. */
describe('compose:password-* handlers', () => {
  let dir: string
  const clipboard: string[] = []
  const saved: string[] = []
  let handlers: ReturnType<typeof composePasswordHandlers>
  const kept = new GeneratedPasswords()
  const password = 'abcd-efgh-jkmn-pqrs-tuvw-xyz2'
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sp-pw-'))
    const deps = {
      now: () => new Date('2026-12-04T10:00:00Z'),
      writeClipboard: async (text: string) => void clipboard.push(text),
      clearClipboard: async (text: string) => void (clipboard.at(-1) === text && clipboard.push('')),
      clipboardClearMs: 50,
      chooseSavePath: async ({ suggestedName }: { suggestedName: string }) => {
        saved.push(join(dir, suggestedName))
        return join(dir, suggestedName)
      },
    } as unknown as RegistryDeps
    handlers = composePasswordHandlers(deps, kept)
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  const keep = () =>
    kept.keep({ recipient: 'max@mandant.test', from: 'kanzlei@example.org', sentAt: new Date(), password })

  it('shows a password once; the second ask is refused', async () => {
    const passwordId = keep()
    expect(await handlers['compose:password-show']({ passwordId })).toEqual({ recipient: 'max@mandant.test', password })
    await expect(handlers['compose:password-show']({ passwordId })).rejects.toMatchObject({
      code: 'COMPOSE_PASSWORD_GONE',
    })
  })

  it('copies it and clears the clipboard after the time it names, unless something else was copied since', async () => {
    const passwordId = keep()
    expect(await handlers['compose:password-copy']({ passwordId })).toEqual({ clearsAfterSeconds: 0 })
    expect(clipboard.at(-1)).toBe(password)
    await expect.poll(() => clipboard.at(-1)).toBe('')
    await handlers['compose:password-copy']({ passwordId })
    clipboard.push('something else')
    await new Promise((resolve) => setTimeout(resolve, 120))
    expect(clipboard.at(-1)).toBe('something else')
  })

  it.skipIf(spawnSync('pdftotext', ['-v']).status !== 0)('prints the letter, then forgets the password', async () => {
    const passwordId = keep()
    expect(await handlers['compose:password-letter']({ passwordId })).toMatchObject({ saved: true })
    const text = spawnSync('pdftotext', [saved.at(-1)!, '-'], { encoding: 'utf8' }).stdout
    expect(text).toContain(password)
    await handlers['compose:password-forget']({ passwordId })
    await expect(handlers['compose:password-letter']({ passwordId })).rejects.toMatchObject({
      code: 'COMPOSE_PASSWORD_GONE',
    })
  })
})
