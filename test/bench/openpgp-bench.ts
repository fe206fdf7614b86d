// `npm run bench`: encrypt+sign and decrypt+verify of 1/25/100 MB attachments, Siegelpost
// (compose/open of a whole PGP/MIME message on the large-message path: worker thread, encrypted
// spool) against gpg on the same file. Prints wall time and peak RSS per operation and the
// ratios. A measurement, never a test assertion. BENCH_SIZES_MB=1,25 picks sizes.
import { spawn, spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateOpenpgpKey } from '../../main/core/openpgp/generate.ts'

const worker = fileURLToPath(new URL('./openpgp-worker.ts', import.meta.url))
const sizesMb = (process.env.BENCH_SIZES_MB ?? '1,25,100').split(',').map(Number)

interface Measure {
  seconds: number
  rssMb: number
}

/**
 * Runs a command; wall time from spawn to exit. Peak RSS: the Siegelpost worker reports its own
 * VmHWM; for gpg, VmHWM of /proc/<pid>/status is polled every 5 ms (its peak is reached at once
 * and held). GNU time is not installed here, and resourceUsage().maxRSS would carry our own RSS
 * over fork().
 */
function measure(command: string, args: string[]): Promise<Measure> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let polledKib = 0
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()))
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()))
    const poll = setInterval(() => {
      try {
        polledKib = Math.max(
          polledKib,
          Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0),
        )
      } catch {
        // exited between checks
      }
    }, 5)
    child.on('close', (code) => {
      clearInterval(poll)
      const seconds = (performance.now() - started) / 1000
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} failed: ${stderr}`))
      const reported = Number(/peak-kib (\d+)/.exec(stdout)?.[1] ?? 0)
      resolve({ seconds, rssMb: Math.max(reported, polledKib) / 1024 })
    })
  })
}

const dir = await mkdtemp(join(tmpdir(), 'sp-bench-'))
const gnupg = join(dir, 'gnupg')
try {
  const now = new Date(Date.now() - 5000)
  const sender = await generateOpenpgpKey({ name: 'Anna', email: 'anna@kanzlei.test', algorithm: 'curve25519', now })
  const recipient = await generateOpenpgpKey({ name: 'Max', email: 'max@mandant.test', algorithm: 'curve25519', now })
  await writeFile(join(dir, 'keys.json'), JSON.stringify({ sender, recipient }))
  const gpg = (...args: string[]) => [
    '--homedir',
    gnupg,
    '--batch',
    '--yes',
    '--quiet',
    '--trust-model',
    'always',
    ...args,
  ]
  spawnSync('mkdir', ['-m', '700', gnupg])
  for (const key of [sender, recipient]) spawnSync('gpg', gpg('--import'), { input: String(key.material.armored) })

  console.log(
    `node ${process.version}, ${spawnSync('gpg', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]}; Curve25519 keys; gpg --compress-algo none, armored`,
  )
  console.log('size    operation        Siegelpost s / peak MiB   gpg s / peak MiB   ratio time   ratio memory')
  for (const mb of sizesMb) {
    const file = join(dir, `anlage-${mb}mb.pdf`)
    const bytes = randomBytes(mb * 1024 * 1024)
    await writeFile(file, bytes)
    const spEncrypt = await measure(process.execPath, [worker, 'compose', dir, file])
    const spDecrypt = await measure(process.execPath, [worker, 'open', dir])
    if (
      createHash('sha256')
        .update(readFileSync(join(dir, 'out.bin')))
        .digest('hex') !== createHash('sha256').update(bytes).digest('hex')
    )
      throw new Error('the opened attachment differs')
    const out = join(dir, 'out.asc')
    const gpgEncrypt = await measure(
      'gpg',
      gpg(
        '--armor',
        '--compress-algo',
        'none',
        '-u',
        sender.fingerprint,
        '-r',
        recipient.fingerprint,
        '-r',
        sender.fingerprint,
        '--sign',
        '--encrypt',
        '-o',
        out,
        file,
      ),
    )
    const gpgDecrypt = await measure('gpg', gpg('--decrypt', '-o', join(dir, 'out-gpg.bin'), out))
    const row = (name: string, a: Measure, b: Measure) =>
      console.log(
        `${`${mb} MB`.padEnd(8)}${name.padEnd(17)}${`${a.seconds.toFixed(2)} / ${a.rssMb.toFixed(0)}`.padEnd(26)}${`${b.seconds.toFixed(2)} / ${b.rssMb.toFixed(0)}`.padEnd(19)}${`${(a.seconds / Math.max(b.seconds, 0.01)).toFixed(1)}×`.padEnd(13)}${(a.rssMb / Math.max(b.rssMb, 1)).toFixed(0)}×`,
      )
    row('encrypt+sign', spEncrypt, gpgEncrypt)
    row('decrypt+verify', spDecrypt, gpgDecrypt)
    await rm(file)
  }
} finally {
  spawnSync('gpgconf', ['--homedir', gnupg, '--kill', 'all'])
  await rm(dir, { recursive: true, force: true })
}
