// `npm run fuzz -- [--duration SECONDS] [--target NAME ...] [--seed N] [--out DIR]`: long fuzz runs,
// one target after the other (never in parallel: the machine is shared). Prints executions and
// coverage per target and writes every finding to DIR/<target>/<kind>-<sha1>.bin; a finding becomes
// a file in test/fuzz/regressions/<target>/ together with the parser fix. Exit code 1 on findings.
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { allFuzzTargets } from './all-targets.ts'
import { describeResult, runFuzzTarget } from './run.ts'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '600' },
    target: { type: 'string', multiple: true },
    seed: { type: 'string' },
    out: { type: 'string', default: join(tmpdir(), 'siegelpost-fuzz') },
  },
})
const names = values.target ?? allFuzzTargets.map((t) => t.name)
const durationMs = Number(values.duration) * 1000
if (!Number.isFinite(durationMs) || durationMs <= 0) throw new Error('--duration takes seconds')
let findings = 0
for (const name of names) {
  const result = await runFuzzTarget(name, {
    durationMs,
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    onProgress: (line) => process.stderr.write(`\r${line.padEnd(78).slice(0, 78)}`),
  })
  process.stderr.write('\n')
  if (result.missingCorpora.length)
    console.log(`${name}: corpora not found (${result.missingCorpora.join(', ')}), self-made seeds only`)
  console.log(describeResult(result))
  for (const finding of result.findings) {
    findings++
    const input = Buffer.from(finding.input, 'base64')
    const dir = join(values.out!, name)
    mkdirSync(dir, { recursive: true })
    const file = join(dir, `${finding.kind}-${createHash('sha1').update(input).digest('hex').slice(0, 12)}.bin`)
    writeFileSync(file, input)
    console.log(`  ${finding.kind}: ${finding.signature}\n  ${finding.message.split('\n')[0]}\n  input: ${file}`)
  }
}
process.exitCode = findings > 0 ? 1 : 0
