import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeTestPki } from '../helpers/smime-pki.ts'

/**
 * S/MIME benchmark (the method of ../shared/reference/perf-baselines.md): whole-process wall time and peak RSS of
 * sign+encrypt and decrypt+verify, Siegelpost vs `openssl cms` (in memory) and `openssl cms -stream`,
 * on random payloads. Run: `node test/bench/smime.bench.ts [MiB ...]` (default 1 25 100, or BENCH_SIZES_MB=1,25).
 */
const sizes = (process.argv.length > 2 ? process.argv.slice(2) : (process.env.BENCH_SIZES_MB ?? '').split(','))
  .map(Number)
  .filter((n) => n > 0)
const dir = mkdtempSync(join(tmpdir(), 'sp-bench-'))
makeTestPki(dir)
const op = fileURLToPath(new URL('./smime-op.ts', import.meta.url))
// The whole CLI as users run it (compose --encrypt smime --sign / open --save-attachments: the
// large-message path with its worker and encrypted spool), when built (npm run build).
const cli = fileURLToPath(new URL('../../bin/siegelpost.js', import.meta.url))
const isBuilt = existsSync(new URL('../../out/main/cli.js', import.meta.url))
const cliArgs = `--profile ${dir}/profile --vault-passphrase-file ${dir}/vp`
const cliEnv = 'DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/siegelpost-bus LANG=C'
if (isBuilt) {
  writeFileSync(join(dir, 'vp'), 'bench-tresor\n')
  writeFileSync(join(dir, 'pw'), 'bench\n')
  for (const command of [
    'openssl pkcs12 -export -inkey alice.key -in alice.pem -certfile ca.pem -out alice.p12 -passout pass:bench',
    `${cliEnv} ${process.execPath} ${cli} certs trust ca.pem ${cliArgs}`,
    `${cliEnv} ${process.execPath} ${cli} keys import alice.p12 --passphrase-file pw ${cliArgs}`,
  ]) {
    const run = spawnSync('sh', ['-c', command], { cwd: dir, encoding: 'utf8' })
    if (run.status !== 0) throw new Error(`${command} failed: ${run.stderr}`)
  }
} else console.error('smime bench: out/main/cli.js is missing (npm run build): no "siegelpost CLI" rows')

function measure(command: string[]): { seconds: number; rssMiB: number } {
  const start = process.hrtime.bigint()
  const run = spawnSync('/usr/bin/time', ['-f', '%M', ...command], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 20 })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (run.status !== 0) throw new Error(`${command.join(' ')} failed: ${run.stderr}`)
  return { seconds, rssMiB: Number(run.stderr.trim().split('\n').pop()) / 1024 }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const rows: string[] = [
  '| MiB | operation | tool | wall s (median of 3) | peak RSS MiB | ratio vs openssl -stream |',
  '|---|---|---|---|---|---|',
]
try {
  for (const mib of sizes.length > 0 ? sizes : [1, 25, 100]) {
    writeFileSync(join(dir, 'in.bin'), randomBytes(mib * 1024 * 1024))
    const openssl = (stream: boolean, kind: 'enc' | 'dec') =>
      kind === 'enc'
        ? [
            'sh',
            '-c',
            `openssl cms -sign -binary -nodetach ${stream ? '-stream' : ''} -in in.bin -signer alice.pem -inkey alice.key -outform DER | openssl cms -encrypt -binary -aes256 ${stream ? '-stream' : ''} -inform DER -outform DER -out ossl.der alice.pem`,
          ]
        : [
            'sh',
            '-c',
            `openssl cms -decrypt -binary -inform DER -in ossl.der -recip alice.pem -inkey alice.key -outform DER | openssl cms -verify -binary -inform DER -CAfile ca.pem -purpose smimesign -out ossl.out`,
          ]
    const tools: [string, string[], string[]][] = [
      [
        'siegelpost',
        [process.execPath, op, 'encrypt', dir, 'in.bin', 'sp.der'],
        [process.execPath, op, 'decrypt', dir, 'sp.der', 'sp.out'],
      ],
      [
        'siegelpost stream',
        [process.execPath, op, 'encrypt-stream', dir, 'in.bin', 'sps.der'],
        [process.execPath, op, 'decrypt-stream', dir, 'sps.der', 'sps.out'],
      ],
      // the same stream in a worker thread (what the app runs); outputs must not exist yet ('wx')
      [
        'siegelpost worker',
        ['sh', '-c', `rm -f spw.der && ${process.execPath} ${op} encrypt-worker ${dir} in.bin spw.der`],
        ['sh', '-c', `rm -f spw.out && ${process.execPath} ${op} decrypt-worker ${dir} spw.der spw.out`],
      ],
      ...(isBuilt
        ? [
            [
              'siegelpost CLI (.eml)',
              [
                'sh',
                '-c',
                `rm -f cli.eml && ${cliEnv} ${process.execPath} ${cli} compose --from alice@example.org --to alice@example.org --attach in.bin --encrypt smime --sign --out cli.eml ${cliArgs} >/dev/null`,
              ],
              [
                'sh',
                '-c',
                `rm -rf cli-att && ${cliEnv} ${process.execPath} ${cli} open cli.eml --json --save-attachments cli-att ${cliArgs} | grep -q '"state": "valid"' && cmp -s in.bin cli-att/in.bin`,
              ],
            ] satisfies [string, string[], string[]],
          ]
        : []),
      ['openssl cms', openssl(false, 'enc'), openssl(false, 'dec')],
      ['openssl cms -stream', openssl(true, 'enc'), openssl(true, 'dec')],
    ]
    const results = new Map<string, { seconds: number; rssMiB: number }>()
    for (const [name, enc, dec] of tools) {
      for (const [kind, command] of [
        ['sign+encrypt', enc],
        ['decrypt+verify', dec],
      ] as const) {
        const runs = [0, 1, 2].map(() => measure(command))
        results.set(`${name}/${kind}`, {
          seconds: median(runs.map((r) => r.seconds)),
          rssMiB: Math.max(...runs.map((r) => r.rssMiB)),
        })
      }
    }
    for (const kind of ['sign+encrypt', 'decrypt+verify']) {
      const base = results.get(`openssl cms -stream/${kind}`)!.seconds
      for (const [name] of tools) {
        const r = results.get(`${name}/${kind}`)!
        rows.push(
          `| ${mib} | ${kind} | ${name} | ${r.seconds.toFixed(2)} | ${r.rssMiB.toFixed(0)} | ${(r.seconds / base).toFixed(1)} |`,
        )
      }
    }
  }
  console.log(rows.join('\n'))
} finally {
  rmSync(dir, { recursive: true, force: true })
}
