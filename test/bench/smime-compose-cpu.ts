import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeTestPki, openssl } from '../helpers/smime-pki.ts'
import { lowerLimits, raiseLimitsFor, writeRandomFile } from './big-message.ts'
import { summaryOfFile } from './flame-summary.ts'

/**
 * The S/MIME compose (sign+encrypt of an .eml through the whole CLI) beside `openssl cms -stream`, each run once per
 * size, in the same minute: wall, CPU (user+sys), CPU/wall (both cores?) and peak RSS. With BENCH_CPU_PROF=DIR the
 * CLI runs under `node --cpu-prof` (a profile for the main thread and one for the worker) and its flame summary
 * (flame-summary.ts) is printed. Run under the keychain as `npm run bench` does:
 *   bash test/helpers/with-keyring.sh node test/bench/smime-compose-cpu.ts 100 1024
 */
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0)
const profDir = process.env.BENCH_CPU_PROF
const keychain = process.env.SIEGELPOST_TEST_KEYRING === '1'
const cli = fileURLToPath(new URL('../../bin/siegelpost.js', import.meta.url))
if (!existsSync(new URL('../../out/main/cli.js', import.meta.url))) throw new Error('out/main/cli.js is missing')
const dir = mkdtempSync(join(tmpdir(), 'sp-bench-compose-'))
const vaultArgs = keychain ? [] : ['--vault-passphrase-file', join(dir, 'vp')]
const env: Record<string, string | undefined> = {
  ...process.env,
  LANG: 'C',
  ...(keychain ? {} : { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus' }),
}
const sp = (nodeArgs: string[], ...args: string[]) => [
  process.execPath,
  ...nodeArgs,
  cli,
  ...args,
  '--profile',
  join(dir, 'profile'),
  ...vaultArgs,
]

function timed(command: string[]): string {
  const start = process.hrtime.bigint()
  const run = spawnSync('/usr/bin/time', ['-f', 'bench-time %U %S %M', ...command], { cwd: dir, env, encoding: 'utf8' })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  const time = /bench-time ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(run.stderr)
  if (run.status !== 0 || !time) throw new Error(`${command.join(' ')}: ${run.stderr}`)
  const cpu = Number(time[1]) + Number(time[2])
  const rss = (Number(time[3]) / 1024).toFixed(0)
  const cores = (cpu / seconds).toFixed(2)
  const split = `user ${time[1]} sys ${time[2]}`
  return `wall ${seconds.toFixed(2)} s, cpu ${cpu.toFixed(2)} s (${split}), cpu/wall ${cores}, rss ${rss} MiB`
}

try {
  writeFileSync(join(dir, 'vp'), 'bench-tresor\n')
  writeFileSync(join(dir, 'pw'), 'bench\n')
  mkdirSync(join(dir, 'pki'))
  const pki = makeTestPki(join(dir, 'pki'))
  const p12 = ['-out', 'alice.p12', '-passout', 'pass:bench']
  openssl(['pkcs12', '-export', '-inkey', pki.alice.keyFile, '-in', pki.alice.certFile, ...p12], { cwd: pki.dir })
  for (const args of [
    ['certs', 'trust', pki.ca.certFile],
    ['keys', 'import', join(pki.dir, 'alice.p12'), '--passphrase-file', join(dir, 'pw')],
  ]) {
    const run = spawnSync(sp([], ...args)[0]!, sp([], ...args).slice(1), { cwd: dir, env, encoding: 'utf8' })
    if (run.status !== 0) throw new Error(run.stderr)
  }
  const alice = '-signer pki/alice.pem -inkey pki/alice.key'
  const ssl =
    `openssl cms -sign -binary -nodetach -stream -in in.bin ${alice} -outform DER | ` +
    `openssl cms -encrypt -binary -aes256 -stream -inform DER -outform DER -out ossl.der pki/alice.pem`
  const compose = ['compose', '--from', 'alice@example.org', '--to', 'alice@example.org', '--encrypt', 'smime']
  for (const mb of sizes) {
    writeRandomFile(join(dir, 'in.bin'), mb * 1024 * 1024)
    raiseLimitsFor(dir, mb * 1024 * 1024, env)
    const prof = profDir ? join(profDir, `${mb}`) : null
    if (prof) rmSync(prof, { recursive: true, force: true })
    const nodeArgs = prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : []
    const composeRun = timed(sp(nodeArgs, ...compose, '--sign', '--attach', 'in.bin', '--out', 'smime.eml'))
    console.log(`${mb} MiB siegelpost compose: ${composeRun}`)
    console.log(`${mb} MiB   (output ${(statSync(join(dir, 'smime.eml')).size / 2 ** 20).toFixed(1)} MiB)`)
    console.log(`${mb} MiB openssl cms -stream: ${timed(['sh', '-c', ssl])}`)
    if (prof)
      for (const file of readdirSync(prof).sort())
        console.log(`${mb} MiB profile ${file}\n${summaryOfFile(join(prof, file), 2).join('\n')}`)
    lowerLimits(env)
    for (const file of ['in.bin', 'smime.eml', 'ossl.der']) rmSync(join(dir, file), { force: true })
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
