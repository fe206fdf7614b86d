import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { GpgHome } from '../helpers/gpg.ts'
import { makeTestPki, openssl } from '../helpers/smime-pki.ts'

/**
 * The goal-3 cells of `npm run bench` on their own, for working on start-up: a 1 MB attachment composed and opened
 * through the whole CLI (OpenPGP and S/MIME, signed and encrypted, as report.bench.ts does), each run
 * SMALL_RUNS times (default 5; SMALL_CLI=path/to/bin/siegelpost.js measures another build); prints the median wall, user and sys seconds and peak RSS (GNU time). With
 * SMALL_PROFILE=DIR every command runs once more under `node --cpu-prof --cpu-prof-dir=DIR`. SMALL_BYTES picks
 * another size. Run it under test/helpers/with-keyring.sh (the vault key in the OS keychain, as users have it):
 *   bash test/helpers/with-keyring.sh node test/bench/small-mail.ts
 */
const runs = Math.max(1, Number(process.env.SMALL_RUNS ?? 5))
const bytes = Number(process.env.SMALL_BYTES ?? 1_000_000)
const profileDir = process.env.SMALL_PROFILE
const cli = process.env.SMALL_CLI ?? fileURLToPath(new URL('../../bin/siegelpost.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'sp-bench-small-'))
const keychain = process.env.SIEGELPOST_TEST_KEYRING === '1'
const vaultArgs = keychain ? [] : ['--vault-passphrase-file', join(dir, 'vp')]
const env = { ...process.env, LANG: 'C' }
const sp = (...args: string[]) => [cli, ...args, '--profile', join(dir, 'profile'), ...vaultArgs]

function must(command: string[]): void {
  const run = spawnSync(command[0]!, command.slice(1), { cwd: dir, env, encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`${command.join(' ')} failed: ${run.stderr}`)
}

function measure(name: string, args: string[]): void {
  const results: number[][] = []
  for (let i = 0; i < runs; i++) {
    rmSync(join(dir, 'att'), { recursive: true, force: true })
    const start = process.hrtime.bigint()
    const run = spawnSync('/usr/bin/time', ['-f', 'small-time %U %S %M', process.execPath, ...args], {
      cwd: dir,
      env,
      encoding: 'utf8',
    })
    const wall = Number(process.hrtime.bigint() - start) / 1e9
    const time = /small-time ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(run.stderr)
    if (run.status !== 0 || !time) throw new Error(`${name} failed: ${run.stderr}`)
    results.push([wall, Number(time[1]), Number(time[2]), Number(time[3]) / 1024])
  }
  const median = (i: number) => results.map((r) => r[i]!).sort((a, b) => a - b)[Math.floor(runs / 2)]!
  const cpu = results.map((r) => r[1]! + r[2]!).sort((a, b) => a - b)[Math.floor(runs / 2)]!
  console.log(
    `${name.padEnd(16)} wall ${median(0).toFixed(3)} s  cpu ${cpu.toFixed(2)} s ` +
      `(user ${median(1).toFixed(2)} sys ${median(2).toFixed(2)})  rss ${median(3).toFixed(0)} MiB`,
  )
  if (profileDir) {
    rmSync(join(dir, 'att'), { recursive: true, force: true })
    must([process.execPath, '--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`, ...args])
  }
}

const gpg = new GpgHome()
try {
  writeFileSync(join(dir, 'vp'), 'bench-tresor\n')
  writeFileSync(join(dir, 'pw'), 'bench\n')
  mkdirSync(join(dir, 'pki'))
  const pki = makeTestPki(join(dir, 'pki'))
  const p12 = ['-inkey', pki.alice.keyFile, '-in', pki.alice.certFile, '-certfile', pki.ca.certFile]
  openssl(['pkcs12', '-export', ...p12, '-out', 'alice.p12', '-passout', 'pass:bench'], { cwd: pki.dir })
  must([process.execPath, ...sp('certs', 'trust', pki.ca.certFile)])
  must([process.execPath, ...sp('keys', 'import', join(pki.dir, 'alice.p12'), '--passphrase-file', join(dir, 'pw'))])
  gpg.generate('Anna <anna@kanzlei.test>', '')
  gpg.generate('Max <max@mandant.test>', '')
  writeFileSync(join(dir, 'anna.asc'), gpg.ok(['--armor', '--export-secret-keys', 'anna@kanzlei.test']).stdout)
  writeFileSync(join(dir, 'max.asc'), gpg.ok(['--armor', '--export', 'max@mandant.test']).stdout)
  must([process.execPath, ...sp('keys', 'import', join(dir, 'anna.asc'))])
  must([process.execPath, ...sp('keys', 'import', join(dir, 'max.asc'))])
  writeFileSync(join(dir, 'in.bin'), randomBytes(bytes))
  console.log(`${bytes} bytes, ${runs} runs, vault key ${keychain ? 'in the keychain' : 'from a passphrase'}`)
  measure('node -e 0', ['-e', '0'])
  measure('--version', sp('--version'))
  const pgp = ['--from', 'anna@kanzlei.test', '--to', 'max@mandant.test', '--encrypt', 'openpgp']
  measure('openpgp compose', sp('compose', ...pgp, '--sign', '--attach', 'in.bin', '--out', 'pgp.eml'))
  measure('openpgp open', sp('open', 'pgp.eml', '--json', '--save-attachments', 'att'))
  const smime = ['--from', 'alice@example.org', '--to', 'alice@example.org', '--encrypt', 'smime']
  measure('smime compose', sp('compose', ...smime, '--sign', '--attach', 'in.bin', '--out', 'smime.eml'))
  measure('smime open', sp('open', 'smime.eml', '--json', '--save-attachments', 'att'))
} finally {
  gpg.close()
  rmSync(dir, { recursive: true, force: true })
}
