import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { generateContainerPassword } from './password.ts'
import { passwordLetterPdf } from './password-letter.ts'

const hasPdftotext = spawnSync('pdftotext', ['-v']).status === 0

describe.skipIf(!hasPdftotext)('the password letter', () => {
  it('carries the password, the recipient and the day, in German and English', async () => {
    const password = generateContainerPassword()
    const bytes = await passwordLetterPdf(
      {
        from: 'kanzlei@example.org',
        recipient: 'max@mandant.test',
        sentAt: new Date('2026-12-04T10:00:00Z'),
        password,
      },
      new Date('2026-12-04T11:00:00Z'),
    )
    const dir = await mkdtemp(join(tmpdir(), 'sp-letter-'))
    try {
      await writeFile(join(dir, 'letter.pdf'), bytes)
      const text = spawnSync('pdftotext', ['-layout', join(dir, 'letter.pdf'), '-'], { encoding: 'utf8' }).stdout
      expect(text).toContain(password)
      expect(text).toContain('max@mandant.test')
      expect(text).toContain('04.12.2026')
      expect(text).toContain('Ihr Passwort für das Passwort-PDF')
      expect(text).toContain('Your password for the password PDF')
      expect(text).toContain('kanzlei@example.org')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
