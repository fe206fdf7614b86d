import { rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { GpgHome, hasGpg } from '../helpers/gpg.ts'
import { lowerLimits, raiseLimitsFor, writeRandomFile } from './big-message.ts'
import { cliBench } from './cli-bench.ts'

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
const { dir, env, sp, timed, setUpKeys, remove } = cliBench('sp-bench-compose-rss-')

const gpg = hasGpg ? new GpgHome() : null
try {
  setUpKeys(gpg)
  const smime = ['compose', '--from', 'alice@example.org', '--to', 'alice@example.org', '--encrypt', 'smime']
  const pgp = ['compose', '--from', 'anna@kanzlei.test', '--to', 'max@mandant.test', '--encrypt', 'openpgp']
  for (const mb of sizes) {
    writeRandomFile(join(dir, 'in.bin'), mb * 1024 * 1024)
    raiseLimitsFor(dir, mb * 1024 * 1024, env)
    for (const [name, args] of [['S/MIME', smime], ...(gpg ? [['OpenPGP', pgp] as const] : [])] as const) {
      const figures = timed(sp([], ...args, '--sign', '--attach', 'in.bin', '--out', 'out.eml'))
      const size = (statSync(join(dir, 'out.eml')).size / 2 ** 20).toFixed(1)
      console.log(`${mb} MiB ${name} compose: ${figures} (output ${size} MiB)`)
      rmSync(join(dir, 'out.eml'), { force: true })
    }
    lowerLimits(env)
    rmSync(join(dir, 'in.bin'), { force: true })
  }
} finally {
  gpg?.close()
  remove()
}
