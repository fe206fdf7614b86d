// `npm run bench`: encrypt+sign and decrypt+verify of 1/25/100 MB attachments, Siegelpost
// (compose/open, whole PGP/MIME message) against gpg on the same file. Prints wall time and
// peak RSS (GNU time) per operation and the ratio. A measurement, never a test assertion.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateOpenpgpKey } from '../../main/core/openpgp/generate.ts'

const worker = fileURLToPath(new URL('./openpgp-worker.ts', import.meta.url))
const sizesMb = (process.env.BENCH_SIZES_MB ?? '1,25,100').split(',').map(Number)

function measure(command: string, args: string[]): { seconds: number; rssMb: number } {
  const run = spawnSync('/usr/bin/time', ['-f', '%e %M', command, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${run.stderr}`)
  const [seconds, kb] = run.stderr.trim().split('\n').pop()!.split(' ').map(Number)
  return { seconds: seconds!, rssMb: kb! / 1024 }
}

const dir = await mkdtemp(join(tmpdir(), 'sp-bench-'))
const gnupg = join(dir, 'gnupg')
try {
  const now = new Date(Date.now() - 5000)
  const sender = await generateOpenpgpKey({ name: 'Anna', email: 'anna@kanzlei.test', algorithm: 'curve25519', now })
  const recipient = await generateOpenpgpKey({ name: 'Max', email: 'max@mandant.test', algorithm: 'curve25519', now })
  await writeFile(join(dir, 'keys.json'), JSON.stringify({ sender, recipient }))
  const gpg = (...args: string[]) => ['--homedir', gnupg, '--batch', '--yes', '--quiet', '--trust-model', 'always', ...args]
  spawnSync('mkdir', ['-m', '700', gnupg])
  for (const key of [sender, recipient]) spawnSync('gpg', gpg('--import'), { input: String(key.material.armored) })

  console.log(`node ${process.version}, ${spawnSync('gpg', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]}; Curve25519 keys; gpg --compress-algo none`)
  console.log('size    operation        Siegelpost s / peak MiB   gpg s / peak MiB   ratio (time)')
  for (const mb of sizesMb) {
    const file = join(dir, `anlage-${mb}mb.pdf`)
    await writeFile(file, randomBytes(mb * 1024 * 1024))
    const spEncrypt = measure(process.execPath, [worker, 'compose', dir, file])
    const spDecrypt = measure(process.execPath, [worker, 'open', dir])
    const out = join(dir, 'out.gpg')
    const gpgEncrypt = measure('gpg', gpg('--compress-algo', 'none', '-u', sender.fingerprint, '-r', recipient.fingerprint, '-r', sender.fingerprint, '--sign', '--encrypt', '-o', out, file))
    const gpgDecrypt = measure('gpg', gpg('--decrypt', '-o', '/dev/null', out))
    const row = (name: string, a: { seconds: number; rssMb: number }, b: { seconds: number; rssMb: number }) =>
      console.log(`${`${mb} MB`.padEnd(8)}${name.padEnd(17)}${`${a.seconds.toFixed(2)} / ${a.rssMb.toFixed(0)}`.padEnd(26)}${`${b.seconds.toFixed(2)} / ${b.rssMb.toFixed(0)}`.padEnd(19)}${(a.seconds / Math.max(b.seconds, 0.01)).toFixed(1)}×`)
    row('encrypt+sign', spEncrypt, gpgEncrypt)
    row('decrypt+verify', spDecrypt, gpgDecrypt)
  }
} finally {
  spawnSync('gpgconf', ['--homedir', gnupg, '--kill', 'all'])
  await rm(dir, { recursive: true, force: true })
}
