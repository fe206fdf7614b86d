import { createHash, randomFillSync } from 'node:crypto'
import { closeSync, createReadStream, existsSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { limits } from '../../main/core/limits.ts'
import type { Outcome, Row } from './report-table.ts'

/**
 * Messages above the product's size limits in the bench (1 and 2 GiB): the input written in pieces (one Buffer
 * cannot hold 2 GiB), the limits raised for those runs only through SIEGELPOST_LIMITS_FILE (limits-override.ts),
 * and the opened attachment compared by streamed SHA-256 (readFile stops at 2 GiB).
 */

/** `bytes` random bytes into `path`, 64 MiB at a time. */
export function writeRandomFile(path: string, bytes: number): void {
  const piece = Buffer.alloc(Math.min(bytes, 64 * 1024 * 1024))
  const fd = openSync(path, 'w')
  try {
    for (let left = bytes; left > 0; left -= piece.length) {
      const size = Math.min(left, piece.length)
      randomFillSync(piece, 0, size)
      writeSync(fd, piece, 0, size)
    }
  } finally {
    closeSync(fd)
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Whether the two files have the same SHA-256 (a missing file is not the same). */
export async function sameFile(a: string, b: string): Promise<boolean> {
  if (!existsSync(a) || !existsSync(b)) return false
  return (await sha256File(a)) === (await sha256File(b))
}

/**
 * For an attachment of `bytes` above the policy: a limits file in `dir` that raises the limits a compose and an
 * open of it meet (its message is about twice its size: base64 inside, base64 or armor outside), set in `env` as
 * SIEGELPOST_LIMITS_FILE. Returns whether it raised; `lowerLimits(env)` ends it.
 */
export function raiseLimitsFor(dir: string, bytes: number, env: Record<string, string | undefined>): boolean {
  if (bytes <= limits.attachmentMaxBytes) return false
  const message = 3 * bytes
  const raised = {
    attachmentMaxBytes: bytes,
    messageMaxBytes: Math.max(limits.messageMaxBytes, message),
    openpgpMaxDecompressedBytes: Math.max(limits.openpgpMaxDecompressedBytes, message),
    smimeBerMaxContentBytes: Math.max(limits.smimeBerMaxContentBytes, message),
  }
  const file = join(dir, 'bench-limits.json')
  writeFileSync(file, JSON.stringify(raised))
  env.SIEGELPOST_LIMITS_FILE = file
  return true
}

export function lowerLimits(env: Record<string, string | undefined>): void {
  delete env.SIEGELPOST_LIMITS_FILE
}

/** The CLI's warning line when the limits are raised: not the error a failed run is reported by. */
export const isLimitsWarning = (line: string) => /SIEGELPOST_LIMITS_FILE/.test(line)

export interface StreamingPathContext {
  dir: string
  env: Record<string, string | undefined>
  /** argv of a CLI call with the profile and vault options. */
  sp: (...args: string[]) => string[]
  timed: (command: string[], prepare?: () => void) => Outcome
  /** Checks the last timed `open`: verdicts encrypted/valid and the attachment `saved` equal to `original`. */
  checkLastOpen: (saved: string, original: string) => Promise<Outcome | null>
  hasGpg: boolean
}

/**
 * Goal 4's "2 GiB through the streaming path, limits raised": compose and open of a `mb` MiB attachment for both
 * technologies through the whole CLI, limits raised, each opened attachment checked. No yardstick beside it (the
 * 1 GiB rows have gpg and openssl).
 */
export async function streamingPathRows(context: StreamingPathContext, mb: number): Promise<Row[]> {
  const { dir, env, sp, timed } = context
  const size = mb >= 1024 ? `${mb / 1024} GiB` : `${mb} MiB`
  const bytes = mb * 1024 * 1024
  const input = join(dir, 'stream-in.bin')
  const rows: Row[] = []
  writeRandomFile(input, bytes)
  raiseLimitsFor(dir, bytes, env)
  try {
    const technologies = [
      { name: 'OpenPGP', from: 'anna@kanzlei.test', to: 'max@mandant.test', encrypt: 'openpgp', ok: context.hasGpg },
      { name: 'S/MIME', from: 'alice@example.org', to: 'alice@example.org', encrypt: 'smime', ok: true },
    ]
    for (const t of technologies) {
      const compose = ['compose', '--from', t.from, '--to', t.to, '--encrypt', t.encrypt, '--sign']
      const composed = t.ok
        ? timed(sp(...compose, '--attach', 'stream-in.bin', '--out', 'stream.eml'))
        : { na: 'no gpg' }
      const openedRaw =
        'seconds' in composed
          ? timed(sp('open', 'stream.eml', '--json', '--save-attachments', 'stream-att'), () =>
              rmSync(join(dir, 'stream-att'), { recursive: true, force: true }),
            )
          : composed
      const opened =
        'seconds' in openedRaw
          ? ((await context.checkLastOpen(join(dir, 'stream-att', 'stream-in.bin'), input)) ?? openedRaw)
          : openedRaw
      const row = (what: string, figure: Outcome): Row => ({
        goal: '4',
        what: `${t.name} ${size} ${what} through the streaming path, limits raised`,
        figure,
        peerName: '',
        peer: { na: '' },
        target: 'completes; ≤ 200 MiB',
      })
      const encrypted = t.name === 'OpenPGP' ? 'encrypt+sign' : 'sign+encrypt'
      rows.push(row(`compose (${encrypted})`, composed), row('open (decrypt+verify)', opened))
      rmSync(join(dir, 'stream.eml'), { force: true })
      rmSync(join(dir, 'stream-att'), { recursive: true, force: true })
    }
  } finally {
    lowerLimits(env)
    rmSync(input, { force: true })
  }
  return rows
}
