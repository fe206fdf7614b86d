import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { composeCarrierMail } from '../core/container/carrier.ts'
import type { Vault } from '../core/keys/vault.ts'
import type { TransportProfile } from '../core/transport/transport-profile.ts'
import { tempVault } from '../../test/helpers/openpgp-fixtures.ts'
import { createMailHandlers } from './mail-handlers.ts'

/** A password PDF attached to a message: recognised without the password, opened with it, files saved marked. */
describe('mail:container-* handlers', () => {
  let vault: Vault
  let dir: string
  let close: () => Promise<void>
  const marks: string[] = []
  let handlers: ReturnType<typeof createMailHandlers>
  const password = 'abcd-efgh-jkmn-pqrs-tuvw-xyz2'
  const file = Buffer.from('Name;Betrag\nMuster;1000\n')
  let mail: Uint8Array
  beforeAll(async () => {
    ;({ vault, dir, close } = await tempVault())
    const profile = async () =>
      ({
        profileDir: dir,
        vault,
        keychain: async () => Promise.reject(new Error('no')),
        now: () => new Date(),
      }) as unknown as TransportProfile
    handlers = createMailHandlers({
      getVault: async () => vault,
      now: () => new Date('2026-12-04T10:00:00Z'),
      profile,
      chooseSavePath: async ({ suggestedName }) => join(dir, suggestedName),
      shell: {
        chooseMessageFile: async () => null,
        openPath: async () => undefined,
        platform: 'linux',
        markLayer: {
          setExtendedAttribute: async (path) => void marks.push(path),
          writeStream: async () => undefined,
        },
      },
    })
    const carrier = {
      from: 'kanzlei@example.org',
      to: ['max@mandant.test'],
      cc: [],
      subject: 'Lohnabrechnung',
      body: 'Anbei die Lohnliste.',
      files: [{ fileName: 'Lohnliste.csv', contentType: 'text/csv', bytes: file }],
      now: new Date('2026-12-04T09:00:00Z'),
    }
    mail = (await composeCarrierMail(carrier, password)).bytes
  }, 60_000)
  afterAll(async () => close?.())

  const open = async () =>
    (
      await handlers['mail:open']({
        source: { kind: 'dropped', fileName: 'mail.eml', data: Buffer.from(mail).toString('base64') },
      })
    ).reading!

  it('marks the attached password PDF, and only it', async () => {
    const reading = await open()
    expect(reading.attachments.map((a) => [a.contentType, a.isPasswordPdf])).toEqual([['application/pdf', true]])
  })

  it('a wrong password is refused and changes nothing; the right one opens it and saves a file marked', async () => {
    const { readingId } = await open()
    await expect(
      handlers['mail:container-open']({ readingId, index: 0, password: 'falsch-falsch' }),
    ).rejects.toMatchObject({ code: 'CONTAINER_WRONG_PASSWORD' })
    await expect(handlers['mail:container-save']({ readingId, index: 0, file: 0 })).rejects.toMatchObject({
      code: 'READING_ATTACHMENT_UNKNOWN',
    })
    const opened = await handlers['mail:container-open']({ readingId, index: 0, password })
    expect(opened).toMatchObject({ subject: 'Lohnabrechnung', text: 'Anbei die Lohnliste.' })
    expect(opened.attachments.map((a) => a.filename)).toEqual(['Lohnliste.csv'])
    expect(await handlers['mail:container-save']({ readingId, index: 0, file: 0 })).toMatchObject({
      saved: true,
      fileName: 'Lohnliste.csv',
    })
    expect(Buffer.compare(await readFile(join(dir, 'Lohnliste.csv')), file)).toBe(0)
    expect(marks).toContain(join(dir, 'Lohnliste.csv'))
  })
})
