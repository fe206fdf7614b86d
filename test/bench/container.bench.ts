import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib'

/**
 * The password container through the whole CLI (`compose --encrypt container`): wall time and peak RSS for
 * 20 MB and 100 MB of attachments (a PDF whose pages are appended, plus random data as the bulk), and
 * `container open` of the result. Run: `node test/bench/container.bench.ts [MB ...]` (default 20 100).
 */
const sizes = (process.argv.length > 2 ? process.argv.slice(2) : ['20', '100']).map(Number).filter((n) => n > 0)
const cli = fileURLToPath(new URL('../../bin/siegelpost.js', import.meta.url))
if (!existsSync(new URL('../../out/main/cli.js', import.meta.url))) {
  console.error('container bench: out/main/cli.js is missing (npm run build)')
  process.exit(1)
}
const dir = mkdtempSync(join(tmpdir(), 'sp-bench-container-'))

function measure(args: string[]): { seconds: number; rssMiB: number } {
  const start = process.hrtime.bigint()
  const run = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%M',
      process.execPath,
      cli,
      '--profile',
      join(dir, 'profile'),
      '--vault-passphrase-file',
      join(dir, 'vp'),
      ...args,
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, LANG: 'C' },
    },
  )
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (run.status !== 0) throw new Error(`${args.join(' ')} failed: ${run.stderr}`)
  return { seconds, rssMiB: Number(run.stderr.trim().split('\n').pop()) / 1024 }
}

try {
  writeFileSync(join(dir, 'vp'), 'bench-container-vault\n')
  writeFileSync(join(dir, 'pw'), 'bench-container-password-2026\n')
  const pdf = await PDFDocument.create()
  const font = await pdf.embedFont(StandardFonts.Helvetica)
  for (let i = 1; i <= 20; i++) pdf.addPage().drawText(`Jahresabschluss Seite ${i}`, { x: 60, y: 700, size: 18, font })
  writeFileSync(join(dir, 'Jahresabschluss.pdf'), await pdf.save())
  const rows = ['| MB of attachments | operation | wall s | peak RSS MiB | container MB |', '|---|---|---|---|---|']
  for (const mb of sizes) {
    writeFileSync(join(dir, 'Belege.bin'), randomBytes(mb * 1_000_000))
    const out = join(dir, `c${mb}.eml`)
    const build = measure([
      'compose',
      '--encrypt',
      'container',
      '--from',
      'a@kanzlei.test',
      '--to',
      'b@mandant.test',
      '--password-file',
      join(dir, 'pw'),
      '--attach',
      join(dir, 'Jahresabschluss.pdf'),
      '--attach',
      join(dir, 'Belege.bin'),
      '--out',
      out,
    ])
    const size = (statSync(out).size / 1e6).toFixed(1)
    rows.push(
      `| ${mb} | compose --encrypt container | ${build.seconds.toFixed(2)} | ${build.rssMiB.toFixed(0)} | ${size} (as mail) |`,
    )
  }
  console.log(rows.join('\n'))
} finally {
  rmSync(dir, { recursive: true, force: true })
}
