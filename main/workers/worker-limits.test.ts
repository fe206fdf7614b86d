import { spawnSync } from 'node:child_process'
import { expect, it } from 'vitest'
import { limits } from '../core/limits.ts'
import { cliWorkerV8Flags } from './worker-limits.ts'

it('a CLI process that encrypts large S/MIME sets a larger heap growing factor; nothing else sets V8 flags', () => {
  expect(cliWorkerV8Flags('smime', 'encrypt')).toEqual([
    `--heap-growing-percent=${limits.smimeEncryptHeapGrowingPercent}`,
  ])
  expect(cliWorkerV8Flags('smime', 'decrypt')).toEqual([])
  expect(cliWorkerV8Flags('openpgp', 'encrypt')).toEqual([])
  expect(cliWorkerV8Flags('openpgp', 'decrypt')).toEqual([])
})

it('this V8 knows each flag (an unknown one would be ignored at run time, with only a warning)', () => {
  for (const flag of cliWorkerV8Flags('smime', 'encrypt')) {
    const run = spawnSync(process.execPath, [flag, '-e', '0'], { encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
  }
})
