import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { skipUnless } from '../../../test/helpers/needs.ts'
import { isRiskyToOpen, safeFileName, writeAttachment } from './attachment-file.ts'
import { markDownloaded, originUrl, systemMarkFileLayer, type MarkFileLayer } from './download-mark.ts'

/** A file layer that only records what would be written. */
function fakeLayer() {
  const writes: { path: string; kind: 'xattr' | 'stream'; name: string; value: string }[] = []
  const layer: MarkFileLayer = {
    setExtendedAttribute: async (path, name, value) => void writes.push({ path, kind: 'xattr', name, value }),
    writeStream: async (path, stream, content) =>
      void writes.push({ path, kind: 'stream', name: stream, value: content }),
  }
  return { layer, writes }
}

const now = new Date('2026-03-12T09:14:00Z')
const hasGetfattr = spawnSync('getfattr', ['--version']).status === 0
const ci = process.env.CI === 'true'

describe('download marking of saved attachments', () => {
  it('writes the Zone.Identifier stream with ZoneId=3 on Windows', async () => {
    const { layer, writes } = fakeLayer()
    expect(await markDownloaded('C:\\Users\\m\\Downloads\\Bescheid.pdf', 'win32', layer, now)).toBe(true)
    expect(writes).toEqual([
      {
        path: 'C:\\Users\\m\\Downloads\\Bescheid.pdf',
        kind: 'stream',
        name: 'Zone.Identifier',
        value: '[ZoneTransfer]\r\nZoneId=3\r\n',
      },
    ])
  })

  it('sets com.apple.quarantine on macOS, naming only the app', async () => {
    const { layer, writes } = fakeLayer()
    expect(await markDownloaded('/Users/m/Downloads/Bescheid.pdf', 'darwin', layer, now)).toBe(true)
    expect(writes).toHaveLength(1)
    expect(writes[0]).toMatchObject({ kind: 'xattr', name: 'com.apple.quarantine' })
    expect(writes[0]!.value).toBe(`0081;${(Date.parse('2026-03-12T09:14:00Z') / 1000).toString(16)};Siegelpost;`)
  })

  it('sets user.xdg.origin.url on Linux, with no subject or sender in it', async () => {
    const { layer, writes } = fakeLayer()
    await markDownloaded('/home/m/Downloads/a.pdf', 'linux', layer, now)
    expect(writes).toEqual([
      { path: '/home/m/Downloads/a.pdf', kind: 'xattr', name: 'user.xdg.origin.url', value: originUrl },
    ])
  })

  it('reports a file system that refuses the mark instead of failing the save', async () => {
    const layer: MarkFileLayer = {
      setExtendedAttribute: async () => Promise.reject(new Error('ENOTSUP')),
      writeStream: async () => undefined,
    }
    expect(await markDownloaded('/x', 'linux', layer, now)).toBe(false)
  })

  it('flags programs and macro documents for a question before opening', () => {
    for (const name of ['setup.exe', 'Rechnung.docm', 'run.sh', 'x.JS', 'a.lnk', 'Tabelle.xlsm'])
      expect(isRiskyToOpen(name, 'application/octet-stream'), name).toBe(true)
    for (const name of ['Bescheid.pdf', 'Lohn.xlsx', 'Brief.docx', 'foto.jpg'])
      expect(isRiskyToOpen(name, 'application/pdf'), name).toBe(false)
    expect(isRiskyToOpen('rechnung', 'application/x-msdownload')).toBe(true)
    expect(safeFileName('../../etc/passwd')).not.toMatch(/[/\\]|^\./)
    expect(safeFileName('  ')).toBe('anhang')
  })
})

describe.skipIf(skipUnless('getfattr (Debian attr)', hasGetfattr || ci, 'apt-get install attr'))(
  'on this Linux file system',
  () => {
    let dir: string
    beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'sp-mark-'))))
    afterAll(async () => rm(dir, { recursive: true, force: true }))

    it('writes the attachment in chunks, owner-only, and marks it with the real setfattr', async () => {
      const path = join(dir, 'Bescheid 2025.pdf')
      const chunks = [Buffer.from('%PDF-1.7\n'), Buffer.alloc(1 << 20, 7), Buffer.from('%%EOF\n')]
      expect(await writeAttachment(path, chunks)).toBe(chunks.reduce((n, c) => n + c.length, 0))
      expect(Buffer.compare(await readFile(path), Buffer.concat(chunks))).toBe(0)
      expect((await stat(path)).mode & 0o777).toBe(0o600)
      expect(await markDownloaded(path, 'linux', systemMarkFileLayer, now)).toBe(true)
      const read = spawnSync('getfattr', ['--only-values', '-n', 'user.xdg.origin.url', path], { encoding: 'utf8' })
      expect(read.stdout).toBe(originUrl)
    })

    it('deletes a partly written file when writing fails', async () => {
      const path = join(dir, 'broken.bin')
      function* failing() {
        yield Buffer.from('start')
        throw new Error('decode failed')
      }
      await expect(writeAttachment(path, failing())).rejects.toThrow('decode failed')
      await expect(stat(path)).rejects.toThrow()
      await writeFile(join(dir, 'ok'), 'x')
    })
  },
)
