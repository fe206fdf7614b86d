import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SiegelpostError } from '../errors/index.ts'
import { openVault } from '../keys/vault.ts'
import { limits } from '../limits.ts'
import { sealJson } from '../store/sealed-blob.ts'
import { DraftStore, draftsDirName } from './draft-store.ts'
import { SignatureStore } from './signature-store.ts'

/** The composer's drafts: fields saved sealed, attachments copied in by path as sealed pieces, format 1 drafts taken over. */
const now = () => new Date('2026-12-04T10:00:00Z')
const fields = {
  account: 'kanzlei',
  from: 'anna@kanzlei.test',
  to: ['max@mandant.test'],
  cc: [],
  bcc: ['archiv@kanzlei.test'],
  subject: 'Jahresabschluss 2025',
  body: 'Guten Tag, anbei der Jahresabschluss.',
  sign: true,
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    return error instanceof SiegelpostError ? error.code : `foreign ${String(error)}`
  }
  return 'no error'
}

describe('composer drafts', () => {
  let dir: string
  const vault = () =>
    openVault({ profileDir: dir, keySource: { mode: 'passphrase', passphrase: Buffer.from('composer-test') } })
  const store = async () => new DraftStore(dir, await vault(), now)
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sp-composer-drafts-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('saves, loads and updates a draft; nothing of it is readable on disk', async () => {
    const drafts = await store()
    const saved = await drafts.save(null, fields)
    const again = await drafts.save(saved.id, { ...fields, subject: 'Jahresabschluss 2025 (final)' })
    expect(again.id).toBe(saved.id)
    expect((await (await store()).load(saved.id)).subject).toBe('Jahresabschluss 2025 (final)')
    const raw = await readFile(join(dir, draftsDirName, `${saved.id}.sgpd`))
    for (const text of ['Jahresabschluss', 'mandant', 'archiv']) expect(raw.includes(Buffer.from(text))).toBe(false)
    await drafts.delete(saved.id)
    expect(await codeOf(drafts.load(saved.id))).toBe('DRAFT_NOT_FOUND')
    expect(await drafts.list()).toEqual([])
  })

  it('copies an attachment of several pieces in by path, sealed, and reads any range of it back', async () => {
    const drafts = await store()
    const draft = await drafts.save(null, fields)
    const content = Buffer.concat([
      Buffer.from('%PDF-1.7 Jahresabschluss '),
      randomBytes(Math.floor(limits.draftChunkBytes * 2.5)),
    ])
    const source = join(dir, 'jahresabschluss.pdf')
    await writeFile(source, content)
    const ref = await drafts.attach(draft.id, source)
    expect(ref).toMatchObject({ fileName: 'jahresabschluss.pdf', contentType: 'application/pdf', size: content.length })
    // The original may go away: the draft holds its own sealed copy.
    await rm(source)
    const loaded = await drafts.load(draft.id)
    expect(loaded.attachments).toEqual([ref])
    expect(await drafts.readAttachment(loaded, ref.id)).toEqual(content)
    const opened = await drafts.openAttachment(loaded, ref.id)
    const start = limits.draftChunkBytes - 10
    expect(Buffer.from(opened.read(start, start + 30))).toEqual(content.subarray(start, start + 30))
    opened.close()
    const sealed = await readFile(join(dir, draftsDirName, draft.id, `${ref.id}.sgpa`))
    expect(sealed.includes(Buffer.from('Jahresabschluss'))).toBe(false)
    expect(sealed.includes(content.subarray(100, 132))).toBe(false)
    // Saving the fields keeps the attachment; removing it deletes its file.
    await drafts.save(draft.id, { ...fields, body: 'neu' })
    expect((await drafts.load(draft.id)).attachments).toEqual([ref])
    expect((await drafts.detach(draft.id, ref.id)).attachments).toEqual([])
    expect(await readdir(join(dir, draftsDirName, draft.id))).toEqual([])
  })

  it('refuses a damaged or cut-off attachment, a vanished file, and a draft without a file', async () => {
    const drafts = await store()
    const draft = await drafts.save(null, fields)
    const source = join(dir, 'a.bin')
    await writeFile(source, randomBytes(limits.draftChunkBytes + 5000))
    const ref = await drafts.attach(draft.id, source)
    const path = join(dir, draftsDirName, draft.id, `${ref.id}.sgpa`)
    const loaded = await drafts.load(draft.id)
    // Cut off after the first piece: the size no longer matches, and the first piece alone is not "last".
    const whole = await readFile(path)
    await truncate(path, 6 + limits.draftChunkBytes + 29)
    expect(await codeOf(drafts.readAttachment(loaded, ref.id))).toBe('DRAFT_ATTACHMENT_DAMAGED')
    // A flipped byte in a piece.
    whole[whole.length - 100]! ^= 1
    await writeFile(path, whole)
    expect(await codeOf(drafts.readAttachment(loaded, ref.id))).toBe('DRAFT_ATTACHMENT_DAMAGED')
    expect(await codeOf(drafts.attach(draft.id, join(dir, 'weg.pdf')))).toBe('FILE_NOT_FOUND')
    expect(await codeOf(drafts.attach('00000000-0000-4000-8000-000000000000', source))).toBe('DRAFT_NOT_FOUND')
  })

  it('takes over a format 1 draft (attachments inline) as an ordinary draft', async () => {
    const v = await vault()
    const id = '11111111-2222-4333-8444-555555555555'
    const legacy = {
      format: 1,
      id,
      createdAt: '2026-11-01T09:00:00.000Z',
      to: [],
      subject: 'Mein Schlüssel',
      body: 'Text',
      attachments: [
        { fileName: 'anna.asc', contentType: 'application/pgp-keys', data: Buffer.from('KEY').toString('base64') },
      ],
    }
    const { mkdir } = await import('node:fs/promises')
    await mkdir(join(dir, draftsDirName), { recursive: true })
    await writeFile(
      join(dir, draftsDirName, `${id}.sgpd`),
      sealJson(v.deriveKey('drafts'), legacy, `siegelpost/draft/v1/${id}`),
    )
    const drafts = new DraftStore(dir, v, now)
    const [taken] = await drafts.list()
    expect(taken).toMatchObject({
      format: 2,
      id,
      subject: 'Mein Schlüssel',
      cc: [],
      bcc: [],
      sign: true,
      attachments: [{ fileName: 'anna.asc', size: 3 }],
    })
    expect(await drafts.readAttachment(taken!, taken!.attachments[0]!.id)).toEqual(Buffer.from('KEY'))
    expect((await readFile(join(dir, draftsDirName, `${id}.sgpd`))).includes(Buffer.from('S0VZ'))).toBe(false)
  })

  it('keeps a signature block per account', async () => {
    const signatures = new SignatureStore(dir, await vault())
    expect(await signatures.get('kanzlei')).toBe('')
    await signatures.set('kanzlei', 'Anna Beraterin\nSteuerberaterin · Kanzlei Muster')
    expect(await new SignatureStore(dir, await vault()).get('kanzlei')).toContain('Steuerberaterin')
    expect(await signatures.get('privat')).toBe('')
  })
})
