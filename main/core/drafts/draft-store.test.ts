import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SiegelpostError } from '../errors/index.ts'
import { openVault } from '../keys/vault.ts'
import type { StoredKey } from '../keys/stored-key.ts'
import { DraftStore, draftsDirName } from './draft-store.ts'
import { keyShareDraft } from './key-draft.ts'

const now = () => new Date('2026-11-25T10:00:00Z')
const key = {
  name: 'Anna Beraterin',
  technology: 'openpgp',
  fingerprint: 'A1B2C3D4E5F60718293A4B5C6D7E8F9011223344',
} as StoredKey
const armored = new TextEncoder().encode(
  '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxjMEZ…\n-----END PGP PUBLIC KEY BLOCK-----\n',
)

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    return error instanceof SiegelpostError ? error.code : `foreign ${String(error)}`
  }
  return 'no error'
}

describe('drafts in the profile', () => {
  let dir: string
  const store = async (passphrase = 'draft-test') =>
    new DraftStore(
      dir,
      await openVault({ profileDir: dir, keySource: { mode: 'passphrase', passphrase: Buffer.from(passphrase) } }),
      now,
    )
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sp-drafts-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('keeps a shared key as a sealed draft: nothing of it readable on disk, all of it back from the store', async () => {
    const drafts = await store()
    const draft = await drafts.create(
      keyShareDraft(key, { fileName: 'oeffentlicher-schluessel-anna.asc', bytes: armored }, 'de'),
    )
    expect(draft.subject).toBe('Mein öffentlicher Schlüssel')
    expect(draft.body).toContain('A1B2 C3D4 E5F6 0718 293A 4B5C 6D7E 8F90 1122 3344')
    expect(draft.body).toContain('telefonisch')
    const [file] = (await readdir(join(dir, draftsDirName))).filter((name) => name.endsWith('.sgpd'))
    const raw = await readFile(join(dir, draftsDirName, file!))
    for (const secret of [
      'Schlüssel',
      'Anna',
      'BEGIN PGP',
      'A1B2',
      Buffer.from(armored).toString('base64').slice(0, 24),
    ])
      expect(raw.includes(Buffer.from(secret))).toBe(false)
    const [listed] = await (await store()).list()
    expect(listed).toEqual(draft)
    expect(await (await store()).readAttachment(listed!, listed!.attachments[0]!.id)).toEqual(Buffer.from(armored))
    const [folder] = (await readdir(join(dir, draftsDirName), { withFileTypes: true })).filter((e) => e.isDirectory())
    const [sealed] = await readdir(join(dir, draftsDirName, folder!.name))
    expect((await readFile(join(dir, draftsDirName, folder!.name, sealed!))).includes(Buffer.from('BEGIN PGP'))).toBe(
      false,
    )
    expect(listed!.attachments[0]!.contentType).toBe('application/pgp-keys')
  })

  it('writes the English text for an English user and names a certificate as such', async () => {
    const draft = await (
      await store()
    ).create(keyShareDraft({ ...key, technology: 'smime' }, { fileName: 'anna.pem', bytes: armored }, 'en'))
    expect(draft.subject).toBe('My certificate for encrypted e-mail')
    expect(draft.body).toContain('by phone')
    expect(draft.attachments[0]!.contentType).toBe('application/x-pem-file')
  })

  it('refuses a draft file that was tampered with, renamed into another draft, or made under another vault', async () => {
    const drafts = await store()
    const a = await drafts.create(keyShareDraft(key, { fileName: 'a.asc', bytes: armored }, 'de'))
    const b = await drafts.create(keyShareDraft(key, { fileName: 'b.asc', bytes: armored }, 'de'))
    const pathOf = (id: string) => join(dir, draftsDirName, `${id}.sgpd`)
    // Renamed: the id is bound to the blob.
    await rm(pathOf(a.id))
    await rename(pathOf(b.id), pathOf(a.id))
    expect(await codeOf(drafts.list())).toBe('DRAFT_DAMAGED')
    // Flipped byte.
    const bytes = await readFile(pathOf(a.id))
    bytes[bytes.length - 20]! ^= 1
    await writeFile(pathOf(a.id), bytes)
    expect(await codeOf(drafts.list())).toBe('DRAFT_DAMAGED')
    // Another profile's vault: its drafts key does not open this draft.
    const other = await mkdtemp(join(tmpdir(), 'sp-drafts-other-'))
    try {
      const foreign = await new DraftStore(
        other,
        await openVault({ profileDir: other, keySource: { mode: 'passphrase', passphrase: Buffer.from('other') } }),
        now,
      ).create(keyShareDraft(key, { fileName: 'c.asc', bytes: armored }, 'de'))
      await rm(pathOf(a.id))
      await writeFile(pathOf(foreign.id), await readFile(join(other, draftsDirName, `${foreign.id}.sgpd`)))
      expect(await codeOf(drafts.list())).toBe('DRAFT_DAMAGED')
    } finally {
      await rm(other, { recursive: true, force: true })
    }
  })

  it('keeps attachments within the limit', async () => {
    const huge = new Uint8Array(26 * 1024 * 1024)
    expect(
      await codeOf(
        (await store()).create({
          to: [],
          subject: 's',
          body: 'b',
          attachments: [{ fileName: 'x.bin', contentType: 'application/octet-stream', bytes: huge }],
        }),
      ),
    ).toBe('DRAFT_TOO_LARGE')
    expect(await (await store()).list()).toEqual([])
  })
})
