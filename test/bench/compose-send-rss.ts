import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { GpgHome, hasGpg } from '../helpers/gpg.ts'
import { hasMailStack, startMailStack, stackAccountArgs } from '../helpers/mail-stack.ts'
import { makeTestPki, openssl } from '../helpers/smime-pki.ts'
import type { Outcome, Row } from './report-table.ts'

/**
 * compose --send of one attachment to three recipients of three kinds (S/MIME, OpenPGP, TLS by consent)
 * through the real Postfix and Dovecot: the whole CLI process's wall time, CPU (user+sys) and peak RSS (GNU
 * time's maximum resident set, worker threads included), one run per size. The copies and the Sent item go
 * through the Outbox's sealed chunk files into SMTP and into the streamed IMAP APPEND (imap-append.ts). Then
 * `send FILE` of a finished .eml of the same size (base64 lines), read into the Outbox in chunks and appended
 * to Sent the same way. The CLI opens the vault in passphrase mode here: its scrypt (128 MiB, limits.vaultScrypt)
 * is part of every figure's peak. Needs root and the Debian mail packages (the test stack) and gpg; every row
 * says n/a otherwise.
 */
export interface ComposeSendFigure {
  /** compose --send to three recipients, or send FILE of a finished .eml. */
  kind: 'compose' | 'send'
  mib: number
  outcome: Outcome
  /** The copies' states, e.g. "sent,sent,sent". */
  states: string
}

const cli = fileURLToPath(new URL('../../bin/siegelpost.js', import.meta.url))

export function measureComposeSend(sizesMiB: readonly number[]): ComposeSendFigure[] {
  const none = (why: string) =>
    sizesMiB.flatMap((mib) =>
      (['compose', 'send'] as const).map((kind) => ({ kind, mib, outcome: { na: why }, states: '' })),
    )
  if (sizesMiB.length === 0) return []
  if (!existsSync(new URL('../../out/main/cli.js', import.meta.url))) return none('out/main/cli.js is missing')
  if (!hasMailStack || !hasGpg) return none('needs root, postfix, dovecot and gpg')
  const dir = mkdtempSync(join(tmpdir(), 'sp-bench-send-'))
  // One copy is the attachment base64-encoded twice (inside and around the encryption, 1.78x) plus
  // headroom; the mailbox limit is lifted with it.
  const stack = startMailStack({ messageSizeLimit: Math.ceil(Math.max(...sizesMiB) * 2 + 16) * 1024 * 1024 })
  const gpg = new GpgHome()
  try {
    mkdirSync(join(dir, 'pki'))
    const pki = makeTestPki(join(dir, 'pki'))
    gpg.generate('Max Mandant <max@mandant.test>', 'max-pass')
    writeFileSync(join(dir, 'max.asc'), gpg.ok(['--armor', '--export', 'max@mandant.test']).stdout)
    writeFileSync(join(dir, 'vp'), 'bench-tresor\n')
    writeFileSync(join(dir, 'p12'), 'bench\n')
    writeFileSync(join(dir, 'alice-pw'), 'alice-pw\n')
    writeFileSync(join(dir, 'body.txt'), 'Anbei der Jahresabschluss.\n')
    const p12 = ['-inkey', pki.alice.keyFile, '-in', pki.alice.certFile, '-certfile', pki.ca.certFile]
    openssl(['pkcs12', '-export', ...p12, '-out', join(dir, 'alice.p12'), '-passout', 'pass:bench'], { cwd: pki.dir })
    const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus', LANG: 'C' }
    const profile = ['--profile', join(dir, 'profile'), '--vault-passphrase-file', join(dir, 'vp')]
    const run = (args: string[]) => {
      const result = spawnSync(process.execPath, [cli, ...args, ...profile], { env, encoding: 'utf8' })
      if (result.status !== 0)
        throw new Error(`siegelpost ${args.join(' ')} failed (${result.status}): ${result.stderr}`)
    }
    run(['certs', 'trust', pki.ca.certFile])
    run(['keys', 'import', join(dir, 'alice.p12'), '--passphrase-file', join(dir, 'p12')])
    run(['keys', 'generate', '--name', 'Alice', '--email', 'alice@example.org'])
    run(['keys', 'import', pki.fran.certFile])
    run(['keys', 'import', join(dir, 'max.asc')])
    run(['policy', 'consent', 'client@mandant.test', '--channel', 'tls', '--by', 'Bench'])
    run(stackAccountArgs(stack, 'alice', 'alice@example.org', join(dir, 'alice-pw')))
    const recipients = ['--to', 'fran@example.org', '--to', 'max@mandant.test', '--cc', 'client@mandant.test']
    const timed = (args: string[]) => {
      const start = process.hrtime.bigint()
      const result = spawnSync(
        '/usr/bin/time',
        ['-f', 'bench-time %U %S %M', process.execPath, ...args, '--json', ...profile],
        { env, encoding: 'utf8', maxBuffer: 1 << 24 },
      )
      const seconds = Number(process.hrtime.bigint() - start) / 1e9
      const time = /bench-time ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(result.stderr)
      return { result, seconds, time }
    }
    const sends = sizesMiB.map((mib): ComposeSendFigure => {
      const file = join(dir, `brief-${mib}.eml`)
      const head = 'From: alice@example.org\r\nTo: client@mandant.test\r\nSubject: Anlage\r\nMIME-Version: 1.0\r\n'
      const body = randomBytes(mib * 1024 * 1024)
        .toString('base64')
        .replace(/.{76}/g, '$&\r\n')
      writeFileSync(
        file,
        `${head}Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}\r\n`,
      )
      const { result, seconds, time } = timed([cli, 'send', file, '--account', 'alice'])
      rmSync(file)
      if (![0, 3].includes(result.status ?? -1) || !time)
        return { kind: 'send', mib, outcome: { na: result.stderr.trim().split('\n')[0]!.slice(0, 90) }, states: '' }
      const state = (JSON.parse(result.stdout) as { state: string }).state
      const cpu = Number(time[1]) + Number(time[2])
      return { kind: 'send', mib, outcome: { seconds, cpu, rssMiB: Number(time[3]) / 1024 }, states: state }
    })
    const composes = sizesMiB.map((mib): ComposeSendFigure => {
      const file = join(dir, `anlage-${mib}.pdf`)
      writeFileSync(file, randomBytes(mib * 1024 * 1024))
      const compose = [cli, 'compose', '--from', 'alice@example.org', ...recipients, '--subject', 'Jahresabschluss']
      const args = [...compose, '--body-file', join(dir, 'body.txt'), '--attach', file, '--send', '--account', 'alice']
      const { result, seconds, time } = timed(args)
      rmSync(file)
      // exit 3: a copy was held (its state says why)
      if (![0, 3].includes(result.status ?? -1) || !time)
        return { kind: 'compose', mib, outcome: { na: result.stderr.trim().split('\n')[0]!.slice(0, 90) }, states: '' }
      const states = (JSON.parse(result.stdout) as { messages: { state: string }[] }).messages.map((m) => m.state)
      const cpu = Number(time[1]) + Number(time[2])
      return {
        kind: 'compose',
        mib,
        outcome: { seconds, cpu, rssMiB: Number(time[3]) / 1024 },
        states: states.join(','),
      }
    })
    return [...composes, ...sends]
  } finally {
    gpg.close()
    stack.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The report's rows (goal 4): peak RSS of compose --send and send FILE per size; n/a when a copy did not go out. */
export function composeSendRows(sizesMiB: readonly number[]): Row[] {
  return measureComposeSend(sizesMiB).map(({ kind, mib, outcome, states }) => ({
    goal: '4',
    what:
      kind === 'compose'
        ? `compose --send ${mib >= 1024 ? `${mib / 1024} GiB` : `${mib} MiB`} to 3 recipients (S/MIME, OpenPGP, TLS)`
        : `send FILE: a finished ${mib} MiB .eml (base64), SMTP and Sent`,
    figure:
      'seconds' in outcome && states !== (kind === 'compose' ? 'sent,sent,sent' : 'sent')
        ? { na: `copies ${states}` }
        : outcome,
    peerName: '',
    peer: { na: '' },
    target: '≤ 200 MiB',
  }))
}
