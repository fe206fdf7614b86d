import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { assertBuilt, runCli } from '../helpers/run-cli.ts'

/**
 * The built CLI bundles libmime with one line changed (electron.vite.config.ts, libmimeLazyDbcs: iconv-lite's
 * double-byte tables are built on first use, not at import). Header words in the double-byte charsets still
 * decode through the bundle, each building its own table when met.
 */
let dir: string
beforeAll(async () => {
  assertBuilt()
  dir = await mkdtemp(join(tmpdir(), 'sp-charset-bundle-'))
  await writeFile(join(dir, 'vault-pass'), 'Tresor\n')
})
afterAll(() => rm(dir, { recursive: true, force: true }))

it('open decodes GBK, GB18030, Big5, Shift_JIS and Latin-1 header words', async () => {
  const mail = [
    'From: =?big5?B?p0Gmbg==?= <chen@example.test>',
    'To: anna@kanzlei.test',
    'Subject: =?GBK?B?xOO6ww==?= =?gb18030?B?xOO6ww==?= =?shift_jis?B?grGC8YLJgr+CzQ==?= =?iso-8859-1?Q?Gr=FC=DFe?=',
    'Date: Sat, 05 Dec 2026 03:00:00 +0100',
    'Message-ID: <charsets@example.test>',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hallo',
    '',
  ].join('\r\n')
  await writeFile(join(dir, 'charsets.eml'), mail)
  const run = runCli(
    ['open', join(dir, 'charsets.eml'), '--json', '--profile', join(dir, 'profile')].concat([
      '--vault-passphrase-file',
      join(dir, 'vault-pass'),
    ]),
    { env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus' } },
  )
  expect(run.errorLines).toEqual([])
  const { headers } = JSON.parse(run.stdout)
  expect(headers.subject).toBe('你好你好こんにちはGrüße')
  expect(headers.from).toContain('你好')
})

it("the class the bundle reads is the one iconv-lite's GBK codec uses (what libmime compared against)", () => {
  const lite = iconv as unknown as {
    getCodec(name: string): { decoder: unknown }
    encodings: { _dbcs: { prototype: { decoder: unknown } } }
  }
  const shared = (lite.getCodec('utf-8'), lite.encodings._dbcs.prototype.decoder)
  expect(shared).toBeTypeOf('function')
  for (const charset of ['gbk', 'gb18030', 'big5', 'shift_jis', 'euc-kr'])
    expect(lite.getCodec(charset).decoder).toBe(shared)
  expect(lite.getCodec('windows-1252').decoder).not.toBe(shared)
})
