import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { skipUnless } from '../../../test/helpers/needs.ts'
import { createRecoverySheet } from './recovery-sheet.ts'

const hasPdftotext = spawnSync('pdftotext', ['-v']).status === 0
const key = {
  id: 'A1',
  fingerprint: '0123456789ABCDEF0123456789ABCDEF01234567',
  technology: 'openpgp' as const,
  name: 'Jürgen Müßig',
  emails: ['juergen@mandant.test'],
  hasSecret: true,
  acceptance: 'verified' as const,
  created: '2026-01-01T00:00:00.000Z',
  expires: null,
  status: 'valid' as const,
  usage: ['sign', 'encrypt'],
}

describe.skipIf(skipUnless('pdftotext (poppler-utils)', hasPdftotext, 'apt-get install poppler-utils'))(
  'recovery sheet',
  () => {
    it.each([
      ['de', 'Zum Wiederherstellen brauchen Sie beides: die Sicherungsdatei und diesen Code.'],
      ['en', 'To restore you need both: the backup file and this code.'],
    ] as const)(
      'is a PDF a reader can read, in %s, with the code, the file, the owner and that both are needed',
      async (lang, both) => {
        const dir = await mkdtemp(join(tmpdir(), 'sp-sheet-'))
        const pdf = join(dir, 'sheet.pdf')
        await writeFile(
          pdf,
          await createRecoverySheet({
            key,
            recoveryCode: 'ABCD-EFGH-1234-5678-9JKM-0NPQ',
            backupFileName: 'sicherung-juergen.asc',
            createdAt: new Date('2026-11-25T12:00:00Z'),
            lang,
          }),
        )
        const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ')
        expect(text).toContain('ABCD-EFGH-1234-5678-9JKM-0NPQ')
        expect(text).toContain('sicherung-juergen.asc')
        expect(text).toContain('Jürgen Müßig')
        expect(text).toContain('0123 4567 89AB CDEF 0123')
        expect(text).toContain(both)
        await rm(dir, { recursive: true })
      },
    )
  },
)
