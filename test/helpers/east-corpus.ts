import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { skipUnless } from './needs.ts'
import { parseRon, type Ron } from './ron.ts'
import { repoRoot } from './run-cli.ts'

/**
 * The EAST fake-mail-server test cases ("Why TLS is better without STARTTLS", USENIX Security 2021) in
 * ../shared/corpora/east-fake-mail-server, read at run time. SIEGELPOST_CORPORA points elsewhere (a git
 * worktree has no ../shared beside it). With CI=true a missing corpus fails; elsewhere it is skipped.
 */
export const corporaRoot = process.env.SIEGELPOST_CORPORA ?? join(repoRoot, '..', 'shared', 'corpora')
export const eastRoot = join(corporaRoot, 'east-fake-mail-server')
export const hasEastCorpus = existsSync(join(eastRoot, 'testcases'))
export const skipWithoutEast = () =>
  skipUnless(
    'EAST fake-mail-server corpus',
    hasEastCorpus,
    'put the corpora in ../shared/corpora or set SIEGELPOST_CORPORA',
  )

export interface EastCase<T> {
  /** Path below testcases/, e.g. "imap/Negotiation/O_1.ron", plus " (variant n)" for a commented step. */
  name: string
  config: T
}

/** Every .ron file below testcases/<folder>, sorted, parsed. */
export function eastCases<T>(folder: string): EastCase<T>[] {
  const root = join(eastRoot, 'testcases')
  const dir = join(root, folder)
  if (!existsSync(dir)) return []
  const out: EastCase<T>[] = []
  const walk = (path: string) => {
    if (statSync(path).isDirectory())
      return readdirSync(path)
        .sort()
        .forEach((name) => walk(join(path, name)))
    if (path.endsWith('.ron'))
      out.push({ name: relative(root, path), config: parseRon(readFileSync(path, 'utf8')) as T })
  }
  walk(dir)
  return out
}

/**
 * The Buffering cases keep their injection steps as commented-out lines ("2) Then try to inject
 * response via STARTTLS suffix"): each run of consecutive commented reply lines is one variant, read
 * as if uncommented. Steps that only make the server ignore a command (a probe, not an attack) are left out.
 */
export function eastVariants<T>(file: string): EastCase<T>[] {
  const path = join(eastRoot, 'testcases', file)
  if (!existsSync(path)) return []
  const lines = readFileSync(path, 'utf8').split('\n')
  const reply = /^\s*\/\/\s*(starttls_response|response_after_tls|stls_response)\s*:/
  const groups: number[][] = []
  lines.forEach((line, index) => {
    if (!reply.test(line)) return
    const last = groups[groups.length - 1]
    if (last && last[last.length - 1] === index - 1) last.push(index)
    else groups.push([index])
  })
  return groups.map((group, n) => {
    const text = lines
      .map((line, index) => (group.includes(index) ? line.replace(/^(\s*)\/\/\s*/, '$1') : line))
      .join('\n')
    return { name: `${file} (step ${n + 1})`, config: parseRon(text) as T }
  })
}

export const eastMail = (name: string): Buffer =>
  Buffer.from(readFileSync(join(eastRoot, 'mails', name), 'latin1').replace(/\r?\n/g, '\r\n'), 'latin1')

export type { Ron }
