import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { GpgHome, hasGpg } from '../helpers/gpg.ts'
import { makeTestPki, openssl } from '../helpers/smime-pki.ts'
import { lowerLimits, raiseLimitsFor, writeRandomFile } from './big-message.ts'

/**
 * Peak RSS and CPU (user+sys) of `compose` (sign+encrypt of one large attachment to an .eml through the whole CLI),
 * S/MIME and OpenPGP, each run once per size: the figures to compare on a shared machine (not wall time). Run under
 * the keychain as `npm run bench` does, after `npx electron-vite build`:
 *   bash test/helpers/with-keyring.sh node test/bench/compose-rss.ts 100 1024
 */
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0)
const keychain = process.env.SIEGELPOST_TEST_KEYRING === '1'
const cli = fileURLToPath(new URL('../../bin/siegelpost.js', import.meta.url))
if (!existsSync(new URL('../../out/main/cli.js', import.meta.url))) throw new Error('out/main/cli.js is missing')
const dir = mkdtempSync(join(tmpdir(), 'sp-bench-compose-rss-'))
const vaultArgs = keychain ? [] : ['--vault-passphrase-file', join(dir, 'vp')]
const env: Record<string, string | undefined> = {
  ...process.env,
  LANG: 'C',
  ...(keychain ? {} : { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus' }),
}
const sp = (...args: string[]) => [process.execPath, cli, ...args, '--profile', join(dir, 'profile'), ...vaultArgs]

function timed(command: string[]): string {
  const run = spawnSync('/usr/bin/time', ['-f', 'bench-time %U %S %M', ...command], { cwd: dir, env, encoding: 'utf8' })
  const time = /bench-time ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(run.stderr)
  if (run.status !== 0 || !time) throw new Error(`${command.join(' ')}: ${run.stderr}`)
  const cpu = Number(time[1]) + Number(time[2])
  return `cpu ${cpu.toFixed(2)} s (user ${time[1]} sys ${time[2]}), rss ${(Number(time[3]) / 1024).toFixed(0)} MiB`
}

const must = (args: string[]) => {
  const run = spawnSync(args[0]!, args.slice(1), { cwd: dir, env, encoding: 'utf8' })
  if (run.status !== 0) throw new Error(run.stderr)
}

const gpg = hasGpg ? new GpgHome() : null
try {
  writeFileSync(join(dir, 'vp'), 'bench-tresor\n')
  writeFileSync(join(dir, 'pw'), 'bench\n')
  mkdirSync(join(dir, 'pki'))
  const pki = makeTestPki(join(dir, 'pki'))
  const p12 = ['-out', 'alice.p12', '-passout', 'pass:bench']
  openssl(['pkcs12', '-export', '-inkey', pki.alice.keyFile, '-in', pki.alice.certFile, ...p12], { cwd: pki.dir })
  must(sp('certs', 'trust', pki.ca.certFile))
  must(sp('keys', 'import', join(pki.dir, 'alice.p12'), '--passphrase-file', join(dir, 'pw')))
  if (gpg) {
    gpg.generate('Anna <anna@kanzlei.test>', '')
    gpg.generate('Max <max@mandant.test>', '')
    writeFileSync(join(dir, 'anna.asc'), gpg.ok(['--armor', '--export-secret-keys', 'anna@kanzlei.test']).stdout)
    writeFileSync(join(dir, 'max.asc'), gpg.ok(['--armor', '--export', 'max@mandant.test']).stdout)
    must(sp('keys', 'import', join(dir, 'anna.asc')))
    must(sp('keys', 'import', join(dir, 'max.asc')))
  }
  const smime = ['compose', '--from', 'alice@example.org', '--to', 'alice@example.org', '--encrypt', 'smime']
  const pgp = ['compose', '--from', 'anna@kanzlei.test', '--to', 'max@mandant.test', '--encrypt', 'openpgp']
  for (const mb of sizes) {
    writeRandomFile(join(dir, 'in.bin'), mb * 1024 * 1024)
    raiseLimitsFor(dir, mb * 1024 * 1024, env)
    for (const [name, args] of [['S/MIME', smime], ...(gpg ? [['OpenPGP', pgp] as const] : [])] as const) {
      const figures = timed(sp(...args, '--sign', '--attach', 'in.bin', '--out', 'out.eml'))
      const size = (statSync(join(dir, 'out.eml')).size / 2 ** 20).toFixed(1)
      console.log(`${mb} MiB ${name} compose: ${figures} (output ${size} MiB)`)
      rmSync(join(dir, 'out.eml'), { force: true })
    }
    lowerLimits(env)
    rmSync(join(dir, 'in.bin'), { force: true })
  }
} finally {
  gpg?.close()
  rmSync(dir, { recursive: true, force: true })
}
