import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { GpgHome } from '../helpers/gpg.ts'
import { makeTestPki, openssl } from '../helpers/smime-pki.ts'

/**
 * A profile in a temporary folder for the standalone bench scripts that time single CLI rows (compose-rss.ts,
 * smime-compose-cpu.ts): the built CLI, the vault by the keychain when run under with-keyring.sh (else a passphrase
 * file), and `timed` — wall, CPU (user+sys), CPU/wall and peak RSS of one command by /usr/bin/time.
 */
export function cliBench(prefix: string) {
  const keychain = process.env.SIEGELPOST_TEST_KEYRING === '1'
  const cli = fileURLToPath(new URL('../../bin/siegelpost.js', import.meta.url))
  if (!existsSync(new URL('../../out/main/cli.js', import.meta.url))) throw new Error('out/main/cli.js is missing')
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const vaultArgs = keychain ? [] : ['--vault-passphrase-file', join(dir, 'vp')]
  const env: Record<string, string | undefined> = {
    ...process.env,
    LANG: 'C',
    ...(keychain ? {} : { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus' }),
  }
  /** A CLI command line; `nodeArgs` go to node itself (e.g. --cpu-prof). */
  const sp = (nodeArgs: string[], ...args: string[]) => [
    process.execPath,
    ...nodeArgs,
    cli,
    ...args,
    '--profile',
    join(dir, 'profile'),
    ...vaultArgs,
  ]
  const must = (command: string[]) => {
    const run = spawnSync(command[0]!, command.slice(1), { cwd: dir, env, encoding: 'utf8' })
    if (run.status !== 0) throw new Error(run.stderr)
  }
  const timed = (command: string[]): string => {
    const start = process.hrtime.bigint()
    const run = spawnSync('/usr/bin/time', ['-f', 'bench-time %U %S %M', ...command], {
      cwd: dir,
      env,
      encoding: 'utf8',
    })
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    const time = /bench-time ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(run.stderr)
    if (run.status !== 0 || !time) throw new Error(`${command.join(' ')}: ${run.stderr}`)
    const cpu = Number(time[1]) + Number(time[2])
    const rss = (Number(time[3]) / 1024).toFixed(0)
    const split = `user ${time[1]} sys ${time[2]}`
    return `wall ${seconds.toFixed(2)} s, cpu ${cpu.toFixed(2)} s (${split}), cpu/wall ${(cpu / seconds).toFixed(2)}, rss ${rss} MiB`
  }
  /**
   * Alice's S/MIME certificate and key (PKCS#12) with the CA as trust anchor in the profile (openssl's files under
   * `pki/`); with `gpg`, Anna (secret key, no passphrase) and Max (public key) for OpenPGP.
   */
  const setUpKeys = (gpg: GpgHome | null) => {
    writeFileSync(join(dir, 'vp'), 'bench-tresor\n')
    writeFileSync(join(dir, 'pw'), 'bench\n')
    mkdirSync(join(dir, 'pki'))
    const pki = makeTestPki(join(dir, 'pki'))
    const p12 = ['-out', 'alice.p12', '-passout', 'pass:bench']
    openssl(['pkcs12', '-export', '-inkey', pki.alice.keyFile, '-in', pki.alice.certFile, ...p12], { cwd: pki.dir })
    must(sp([], 'certs', 'trust', pki.ca.certFile))
    must(sp([], 'keys', 'import', join(pki.dir, 'alice.p12'), '--passphrase-file', join(dir, 'pw')))
    if (!gpg) return
    gpg.generate('Anna <anna@kanzlei.test>', '')
    gpg.generate('Max <max@mandant.test>', '')
    writeFileSync(join(dir, 'anna.asc'), gpg.ok(['--armor', '--export-secret-keys', 'anna@kanzlei.test']).stdout)
    writeFileSync(join(dir, 'max.asc'), gpg.ok(['--armor', '--export', 'max@mandant.test']).stdout)
    must(sp([], 'keys', 'import', join(dir, 'anna.asc')))
    must(sp([], 'keys', 'import', join(dir, 'max.asc')))
  }
  const remove = () => rmSync(dir, { recursive: true, force: true })
  return { dir, env, sp, timed, setUpKeys, remove }
}
