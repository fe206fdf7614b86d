import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveAppFile } from './app-protocol.ts'
import { contentSecurityPolicy } from './shell-policy.ts'

let root: string
let outside: string
beforeAll(async () => {
  const base = await mkdtemp(join(tmpdir(), 'sp-proto-'))
  root = join(base, 'renderer')
  outside = base
  await mkdir(join(root, 'assets'), { recursive: true })
  await writeFile(join(root, 'index.html'), '<!doctype html>')
  await writeFile(join(root, 'assets', 'a.js'), 'export {}')
  await writeFile(join(base, 'secret.json'), '{"key":"x"}')
})
afterAll(() => rm(outside, { recursive: true, force: true }))

describe('app:// protocol', () => {
  it('serves the UI files with the strict CSP', async () => {
    const index = await serveAppFile(root, 'GET', 'app://siegelpost/')
    expect(index.status).toBe(200)
    expect(index.headers['Content-Security-Policy']).toBe(contentSecurityPolicy)
    expect(index.headers['Content-Type']).toContain('text/html')
    const script = await serveAppFile(root, 'GET', 'app://siegelpost/assets/a.js')
    expect(script.headers['Content-Type']).toContain('text/javascript')
  })

  it.each([
    'app://siegelpost/../secret.json',
    'app://siegelpost/%2e%2e/secret.json',
    'app://siegelpost/assets/%2e%2e%2f%2e%2e%2fsecret.json',
  ])('never serves files outside the UI folder: %s', async (url) => {
    const answer = await serveAppFile(root, 'GET', url)
    expect(answer.status).toBe(404)
    expect(answer.body).toBeNull()
  })

  it('refuses methods other than GET and HEAD', async () => {
    expect((await serveAppFile(root, 'POST', 'app://siegelpost/index.html')).status).toBe(405)
  })
})
