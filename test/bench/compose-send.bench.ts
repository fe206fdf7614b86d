import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { GpgHome, hasGpg } from '../helpers/gpg.ts'
import { hasMailStack, startMailStack, stackAccountArgs } from '../helpers/mail-stack.ts'
import { makeTestPki, openssl } from '../helpers/smime-pki.ts'

/**
 * compose --send of one attachment to three recipients of three kinds (S/MIME, OpenPGP, TLS by consent)
 * through the real Postfix and Dovecot: whole-process wall time and peak RSS (VmHWM, worker threads
 * included). Run after a build: `node test/bench/compose-send.bench.ts [MiB ...]` (default 100, or
 * BENCH_SIZES_MB=20,100). Needs root and the Debian mail packages (the test stack); skips otherwise.
 */
const sizes = (process.argv.length > 2 ? process.argv.slice(2) : (process.env.BENCH_SIZES_MB ?? '100').split(','))
  .map(Number)
  .filter((n) => n > 0)
const cli = fileURLToPath(new URL('../../bin/siegelpost.js', import.meta.url))
if (!existsSync(new URL('../../out/main/cli.js', import.meta.url))) {
  console.error('compose-send bench: out/main/cli.js is missing (npm run build)')
  process.exit(0)
}
if (!hasMailStack || !hasGpg) {
  console.error('compose-send bench: skipped (needs root, postfix, dovecot and gpg)')
  process.exit(0)
}

const dir = mkdtempSync(join(tmpdir(), 'sp-bench-send-'))
// One copy is the attachment base64-encoded twice (inside and around the encryption, 1.78x) plus
// headroom; the mailbox limit is lifted with it.
const stack = startMailStack({ messageSizeLimit: Math.ceil(Math.max(...sizes) * 2 + 16) * 1024 * 1024 })
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
  openssl(
    [
      'pkcs12',
      '-export',
      '-inkey',
      pki.alice.keyFile,
      '-in',
      pki.alice.certFile,
      '-certfile',
      pki.ca.certFile,
      '-out',
      join(dir, 'alice.p12'),
      '-passout',
      'pass:bench',
    ],
    { cwd: pki.dir },
  )
  const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus', LANG: 'C' }
  const run = (args: string[], extraEnv: Record<string, string> = {}, okStatus = [0]) => {
    const result = spawnSync(
      process.execPath,
      [cli, ...args, '--profile', join(dir, 'profile'), '--vault-passphrase-file', join(dir, 'vp')],
      { env: { ...env, ...extraEnv }, encoding: 'utf8', maxBuffer: 1 << 24 },
    )
    if (!okStatus.includes(result.status ?? -1))
      throw new Error(`siegelpost ${args.join(' ')} failed (${result.status}): ${result.stderr}`)
    return result
  }
  run(['certs', 'trust', pki.ca.certFile])
  run(['keys', 'import', join(dir, 'alice.p12'), '--passphrase-file', join(dir, 'p12')])
  run(['keys', 'generate', '--name', 'Alice', '--email', 'alice@example.org'])
  run(['keys', 'import', pki.fran.certFile])
  run(['keys', 'import', join(dir, 'max.asc')])
  run(['policy', 'consent', 'client@mandant.test', '--channel', 'tls', '--by', 'Bench'])
  run(stackAccountArgs(stack, 'alice', 'alice@example.org', join(dir, 'alice-pw')))
  console.log('| attachment | copies | wall time | peak RSS |')
  console.log('|---|---|---|---|')
  for (const mib of sizes) {
    const file = join(dir, `anlage-${mib}.pdf`)
    writeFileSync(file, randomBytes(mib * 1024 * 1024))
    const start = process.hrtime.bigint()
    const result = run(
      [
        'compose',
        '--from',
        'alice@example.org',
        '--to',
        'fran@example.org',
        '--to',
        'max@mandant.test',
        '--cc',
        'client@mandant.test',
        '--subject',
        'Jahresabschluss',
        '--body-file',
        join(dir, 'body.txt'),
        '--attach',
        file,
        '--send',
        '--account',
        'alice',
        '--json',
      ],
      { SIEGELPOST_DEBUG_MAXRSS: '1' },
      [0, 3], // 3: a copy was held (its state says why)
    )
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    const rssMiB = Number(/maxrss-kib=(\d+)/.exec(result.stderr)?.[1]) / 1024
    const outcome = JSON.parse(result.stdout) as { messages: { state: string }[] }
    const states = outcome.messages.map((m) => m.state).join(',')
    console.log(
      `| ${mib} MiB | ${outcome.messages.length} (${states}) | ${seconds.toFixed(1)} s | ${rssMiB.toFixed(0)} MiB |`,
    )
    rmSync(file)
  }
} finally {
  gpg.close()
  stack.stop()
  rmSync(dir, { recursive: true, force: true })
}
