import { createHash } from 'node:crypto'
import { parentPort, workerData } from 'node:worker_threads'
import { CoverageTracker } from './coverage.ts'
import { mutate, Random } from './mutate.ts'
import { allFuzzTargets } from './all-targets.ts'

/**
 * One fuzz target in a worker thread, so that the parent can stop a hung run (a synchronous endless
 * loop) and report the input that hung: every input is copied into shared memory before it runs.
 */
export interface WorkerInput {
  target: string
  durationMs: number
  seed: number
  /** Shared: [0] = length of the current input, then its bytes. */
  current: SharedArrayBuffer
}

export interface Finding {
  kind: 'crash' | 'slow'
  signature: string
  message: string
  input: string
}

export type WorkerMessage =
  | { type: 'started'; seeds: number; missing: string[] }
  | { type: 'progress'; execs: number; corpus: number }
  | { type: 'finding'; finding: Finding }
  | { type: 'done'; execs: number; corpus: number; coverage: ReturnType<CoverageTracker['summary']>; findings: number }

const data = workerData as WorkerInput
const post = (message: WorkerMessage) => parentPort!.postMessage(message)
const target = allFuzzTargets.find((t) => t.name === data.target)
if (!target) throw new Error(`no fuzz target ${data.target}`)

const header = new Int32Array(data.current, 0, 1)
const currentBytes = new Uint8Array(data.current, 4)
const dictionary = target.dictionary.map((token) => new Uint8Array(Buffer.from(token, 'latin1')))
const run = await target.load()
const { inputs: seeds, missing } = await target.seeds()
post({ type: 'started', seeds: seeds.length, missing })

const watched = [...target.own, ...target.watch]
const tracker = new CoverageTracker({
  isOfInterest: (url) => watched.some((fragment) => url.includes(fragment)),
  isOwn: (url) => target.own.some((fragment) => url.includes(fragment)),
})
const random = new Random(data.seed)
const seen = new Set<string>()
let findings = 0

/** Where an error was thrown: its class and the first frames of our code or a library. */
function signatureOf(error: unknown): string {
  if (!(error instanceof Error)) return `non-error ${typeof error}`
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => line.trim().startsWith('at '))
    .slice(0, 3)
  return `${error.name}: ${error.message.slice(0, 80).replace(/\d+/g, 'N')} | ${frames.map((f) => f.trim().replace(/:\d+:\d+\)?$/, '')).join(' < ')}`
}

function report(kind: Finding['kind'], signature: string, message: string, input: Uint8Array) {
  if (seen.has(signature)) return
  seen.add(signature)
  findings++
  post({ type: 'finding', finding: { kind, signature, message, input: Buffer.from(input).toString('base64') } })
}

async function execute(input: Uint8Array): Promise<void> {
  header[0] = input.length
  currentBytes.set(input.subarray(0, currentBytes.length))
  const started = performance.now()
  const cpuStarted = process.cpuUsage()
  try {
    await run(input)
  } catch (error) {
    if (!target!.isExpected(error)) {
      report(
        'crash',
        signatureOf(error),
        error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error),
        input,
      )
    }
  }
  const elapsed = performance.now() - started
  const cpu = process.cpuUsage(cpuStarted)
  // Slow means the processor worked that long: on a loaded machine (nice 19 beside other work) a quick run can
  // wait seconds for a core, which is no finding. An endless loop still burns CPU and is caught.
  const cpuMs = (cpu.user + cpu.system) / 1000
  if (elapsed > target!.slowMs && cpuMs > target!.slowMs)
    report('slow', `slow ${target!.name} > ${target!.slowMs} ms`, `one run took ${Math.round(cpuMs)} ms of CPU`, input)
}

const corpus: Uint8Array[] = []
tracker.reset()
// Every seed answers the watchdog: on a loaded machine the seed pass with coverage collection can take longer
// than the hang limit as a whole, while each seed is quick (that silence was once reported as a hang).
for (const [done, seed] of seeds.entries()) {
  const input = seed.length > target.maxLength ? seed.subarray(0, target.maxLength) : seed
  await execute(input)
  if (tracker.collect() > 0) corpus.push(input)
  post({ type: 'progress', execs: done + 1, corpus: corpus.length })
}
if (corpus.length === 0) corpus.push(new Uint8Array(0))

const deadline = performance.now() + data.durationMs
let execs = seeds.length
let lastProgress = performance.now()
const known = new Set(corpus.map((input) => createHash('sha1').update(input).digest('hex')))
while (performance.now() < deadline) {
  // Newer entries found new paths: pick them a little more often than the seeds.
  const index =
    random.below(2) === 0 ? corpus.length - 1 - random.below(Math.min(corpus.length, 16)) : random.below(corpus.length)
  const input = mutate(corpus[index]!, random, dictionary, random.pick(corpus), target.maxLength)
  await execute(input)
  execs++
  if (tracker.collect() > 0) {
    const id = createHash('sha1').update(input).digest('hex')
    if (!known.has(id)) {
      known.add(id)
      corpus.push(input)
    }
  }
  if (performance.now() - lastProgress > 1000) {
    lastProgress = performance.now()
    post({ type: 'progress', execs, corpus: corpus.length })
  }
}
post({ type: 'done', execs, corpus: corpus.length, coverage: tracker.summary(), findings })
tracker.stop()
