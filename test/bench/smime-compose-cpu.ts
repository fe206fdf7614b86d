import { readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { lowerLimits, raiseLimitsFor, writeRandomFile } from './big-message.ts'
import { cliBench } from './cli-bench.ts'
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
const { dir, env, sp, timed, setUpKeys, remove } = cliBench('sp-bench-compose-')

try {
  setUpKeys(null)
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
  remove()
}
