import { Worker } from 'node:worker_threads'
import { allFuzzTargets } from './all-targets.ts'
import type { Finding, WorkerInput, WorkerMessage } from './worker.ts'

/**
 * Runs one fuzz target for a while in a worker thread and says what it found. A worker that stops
 * answering (a synchronous endless loop in a parser) is terminated and its current input reported
 * as a hang; a worker that runs out of memory is a finding with the input it was on.
 */
export interface FuzzResult {
  target: string
  execs: number
  corpus: number
  seeds: number
  missingCorpora: string[]
  coverage: { ownCovered: number; ownKnown: number; allCovered: number; allKnown: number; features: number } | null
  findings: Finding[]
  seconds: number
}

export interface FuzzOptions {
  durationMs: number
  seed?: number
  /** Silence after which the current input counts as a hang. */
  hangMs?: number
  onProgress?: (message: string) => void
}

export function runFuzzTarget(name: string, options: FuzzOptions): Promise<FuzzResult> {
  const target = allFuzzTargets.find((t) => t.name === name)
  if (!target) return Promise.reject(new Error(`no fuzz target ${name}`))
  const current = new SharedArrayBuffer(4 + target.maxLength)
  const workerData: WorkerInput = {
    target: name,
    durationMs: options.durationMs,
    seed: options.seed ?? Date.now() & 0x7fffffff,
    current,
  }
  const started = performance.now()
  const result: FuzzResult = {
    target: name,
    execs: 0,
    corpus: 0,
    seeds: 0,
    missingCorpora: [],
    coverage: null,
    findings: [],
    seconds: 0,
  }
  const hangMs = options.hangMs ?? Math.max(20_000, target.slowMs * 4)
  const worker = new Worker(new URL('./worker.ts', import.meta.url), {
    workerData,
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: 1536 },
  })
  const currentInput = () => {
    const length = new Int32Array(current, 0, 1)[0]!
    return Buffer.from(new Uint8Array(current, 4, Math.min(length, target.maxLength))).toString('base64')
  }
  return new Promise<FuzzResult>((resolve, reject) => {
    let lastMessage = performance.now()
    let hasStarted = false
    let isSettled = false
    const finish = (error?: Error) => {
      if (isSettled) return
      isSettled = true
      clearInterval(watchdog)
      result.seconds = Math.round((performance.now() - started) / 100) / 10
      void worker.terminate()
      if (error) reject(error)
      else resolve(result)
    }
    const watchdog = setInterval(() => {
      // Loading the target and its corpus may take a while; after that, silence means a hang.
      const limit = hasStarted ? hangMs : 180_000
      if (performance.now() - lastMessage < limit) return
      result.findings.push({
        kind: 'slow',
        signature: `hang ${name}`,
        message: `no answer for ${Math.round(limit / 1000)} s`,
        input: currentInput(),
      })
      finish()
    }, 500)
    worker.on('message', (message: WorkerMessage) => {
      lastMessage = performance.now()
      if (message.type === 'started') {
        hasStarted = true
        result.seeds = message.seeds
        result.missingCorpora = message.missing
      } else if (message.type === 'progress') {
        result.execs = message.execs
        result.corpus = message.corpus
        options.onProgress?.(`${name}: ${message.execs} execs, corpus ${message.corpus}`)
      } else if (message.type === 'finding') {
        result.findings.push(message.finding)
        options.onProgress?.(`${name}: ${message.finding.kind} ${message.finding.signature}`)
      } else {
        result.execs = message.execs
        result.corpus = message.corpus
        result.coverage = message.coverage
        finish()
      }
    })
    worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        result.findings.push({
          kind: 'crash',
          signature: `out of memory ${name}`,
          message: error.message,
          input: currentInput(),
        })
        finish()
      } else finish(error)
    })
    worker.on('exit', (code) => {
      if (!isSettled) finish(new Error(`fuzz worker for ${name} ended with code ${code} before it was done`))
    })
  })
}

export function describeResult(result: FuzzResult): string {
  const c = result.coverage
  const percent = (a: number, b: number) => (b === 0 ? '0' : ((100 * a) / b).toFixed(1))
  const coverage = c
    ? `own blocks ${c.ownCovered}/${c.ownKnown} (${percent(c.ownCovered, c.ownKnown)} %), all watched ${c.allCovered}/${c.allKnown}, features ${c.features}`
    : 'no coverage'
  const rate = result.seconds > 0 ? Math.round(result.execs / result.seconds) : 0
  return `${result.target}: ${result.execs} execs in ${result.seconds} s (${rate}/s), seeds ${result.seeds}, corpus ${result.corpus}, ${coverage}, findings ${result.findings.length}`
}
