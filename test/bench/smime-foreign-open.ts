import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { lowerLimits, raiseLimitsFor, writeRandomFile } from './big-message.ts'
import type { Outcome, Row } from './report-table.ts'

/**
 * Goal 4 for mail Siegelpost did not write: `open` of OpenSSL's sign-then-encrypt S/MIME (`openssl cms -sign`, then
 * `openssl cms -encrypt -stream -aes-256-gcm`: multipart/signed inside AuthEnvelopedData whose content comes in
 * 4 KiB segments, base64 in lines of 64), beside `openssl cms -decrypt | openssl cms -verify` of the same mail.
 * Alice (the bench profile's own S/MIME key, pki/ in `dir`) writes to herself.
 */
export interface ForeignOpenContext {
  dir: string
  env: Record<string, string | undefined>
  sp: (...args: string[]) => string[]
  timed: (command: string[], prepare?: () => void) => Outcome
  /** Checks the last timed `open`: verdicts encrypted/valid and the attachment `saved` equal to `original`. */
  checkLastOpen: (saved: string, original: string) => Promise<Outcome | null>
}

export async function smimeForeignOpenRow(context: ForeignOpenContext, mb: number): Promise<Row> {
  const { dir, env, sp, timed } = context
  const size = mb >= 1024 ? `${mb / 1024} GiB` : `${mb} MiB`
  const what = `S/MIME ${size} decrypt+verify (open) of OpenSSL's mail (4 KiB segments)`
  const row = (figure: Outcome, peer: Outcome): Row => ({
    goal: '4',
    what,
    figure,
    peerName: 'openssl cms',
    peer,
    target: '≤ 1.0×; ≤ 200 MiB',
  })
  const files = ['foreign.bin', 'foreign.eml', 'foreign-att', 'foreign.out']
  const input = join(dir, 'foreign.bin')
  writeRandomFile(input, mb * 1024 * 1024)
  raiseLimitsFor(dir, mb * 1024 * 1024, env)
  try {
    const mime = [
      `printf 'Content-Type: multipart/mixed; boundary="b1"\\r\\n\\r\\n--b1\\r\\n'`,
      `printf 'Content-Type: text/plain; charset=utf-8\\r\\n\\r\\nAnbei.\\r\\n--b1\\r\\n'`,
      `printf 'Content-Type: application/octet-stream; name="foreign.bin"\\r\\n'`,
      `printf 'Content-Disposition: attachment; filename="foreign.bin"\\r\\n'`,
      `printf 'Content-Transfer-Encoding: base64\\r\\n\\r\\n'`,
      `base64 -w 76 foreign.bin | sed 's/$/\\r/'`,
      `printf '\\r\\n--b1--\\r\\n'`,
    ].join('; ')
    const make =
      `{ ${mime}; } | openssl cms -sign -stream -signer pki/alice.pem -inkey pki/alice.key -certfile pki/ca.pem | ` +
      'openssl cms -encrypt -stream -aes-256-gcm -from alice@example.org -to alice@example.org -subject Bench ' +
      '-out foreign.eml pki/alice.pem'
    const made = spawnSync('sh', ['-c', make], { cwd: dir, encoding: 'utf8' })
    if (made.status !== 0) return row({ na: `openssl: ${made.stderr.split('\n')[0]}` }, { na: '' })
    const opened = timed(sp('open', 'foreign.eml', '--json', '--save-attachments', 'foreign-att'), () =>
      rmSync(join(dir, 'foreign-att'), { recursive: true, force: true }),
    )
    const figure =
      'seconds' in opened
        ? ((await context.checkLastOpen(join(dir, 'foreign-att', 'foreign.bin'), input)) ?? opened)
        : opened
    const peer = timed([
      'sh',
      '-c',
      'openssl cms -decrypt -in foreign.eml -recip pki/alice.pem -inkey pki/alice.key | ' +
        'openssl cms -verify -CAfile pki/ca.pem -purpose smimesign -out foreign.out',
    ])
    return row(figure, peer)
  } finally {
    lowerLimits(env)
    for (const file of files) rmSync(join(dir, file), { recursive: true, force: true })
  }
}
