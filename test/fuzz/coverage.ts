import { Session } from 'node:inspector'

/**
 * Coverage feedback from V8's precise block coverage through node:inspector (the in-process
 * session answers synchronously). @jazzer.js/core 4 would do this with libFuzzer, but its prebuilt
 * addon needs glibc 2.38 and Debian 12 has 2.36, so this is the fallback the issue names.
 *
 * V8 reports, per function, the function range and the nested block ranges whose count differs
 * from the enclosing range. A block that starts running as often as its parent is no longer
 * reported, so every range ever seen is remembered and its count is taken from the innermost
 * reported range around it. A feature is (range, count bucket), as AFL buckets hit counts.
 */
interface V8Range {
  startOffset: number
  endOffset: number
  count: number
}
interface V8Function {
  functionName: string
  ranges: V8Range[]
  isBlockCoverage: boolean
}
interface V8Script {
  scriptId: string
  url: string
  functions: V8Function[]
}

const bucketOf = (count: number) =>
  count <= 0
    ? 0
    : count === 1
      ? 1
      : count < 4
        ? 2
        : count < 8
          ? 3
          : count < 16
            ? 4
            : count < 32
              ? 5
              : count < 128
                ? 6
                : 7

export class CoverageTracker {
  private readonly session = new Session()
  /** Every block range seen, by script url and function start: "start:end". */
  private readonly known = new Map<string, Map<number, Set<string>>>()
  private readonly features = new Set<string>()
  private readonly coveredBlocks = new Set<string>()
  private readonly isOfInterest: (url: string) => boolean
  private readonly isOwn: (url: string) => boolean

  constructor(options: { isOfInterest: (url: string) => boolean; isOwn: (url: string) => boolean }) {
    this.isOfInterest = options.isOfInterest
    this.isOwn = options.isOwn
    this.session.connect()
    this.post('Profiler.enable')
    this.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true })
  }

  private post<T>(method: string, params?: object): T {
    let result: T | undefined
    let failure: Error | null = null
    let answered = false
    this.session.post(method, params, (error: Error | null, value?: object) => {
      answered = true
      failure = error
      result = value as T
    })
    if (!answered) throw new Error(`inspector did not answer ${method} synchronously`)
    if (failure) throw failure
    return result as T
  }

  /** Counts since the last call are dropped (V8 resets them on every take). */
  reset(): void {
    this.post('Profiler.takePreciseCoverage')
  }

  /** Reads the counts since the last call; returns how many features were new. */
  collect(): number {
    const { result } = this.post<{ result: V8Script[] }>('Profiler.takePreciseCoverage')
    let fresh = 0
    for (const script of result) {
      if (!this.isOfInterest(script.url)) continue
      let byFunction = this.known.get(script.url)
      if (!byFunction) this.known.set(script.url, (byFunction = new Map()))
      for (const fn of script.functions) {
        const [whole] = fn.ranges
        if (!whole) continue
        let ranges = byFunction.get(whole.startOffset)
        if (!ranges) byFunction.set(whole.startOffset, (ranges = new Set()))
        for (const range of fn.ranges) ranges.add(`${range.startOffset}:${range.endOffset}`)
        if (whole.count === 0) continue
        for (const key of ranges) {
          const [start, end] = key.split(':').map(Number) as [number, number]
          // The innermost reported range containing this one gives its count (V8 ranges nest).
          let count = whole.count
          let width = Infinity
          for (const range of fn.ranges) {
            if (range.startOffset <= start && range.endOffset >= end && range.endOffset - range.startOffset < width) {
              width = range.endOffset - range.startOffset
              count = range.count
            }
          }
          if (count === 0) continue
          const block = `${script.url}#${key}`
          this.coveredBlocks.add(block)
          const feature = `${block}#${bucketOf(count)}`
          if (!this.features.has(feature)) {
            this.features.add(feature)
            fresh++
          }
        }
      }
    }
    return fresh
  }

  /** Blocks run at least once / blocks seen, for the target's own files and for everything watched. */
  summary(): { ownCovered: number; ownKnown: number; allCovered: number; allKnown: number; features: number } {
    let ownKnown = 0
    let allKnown = 0
    for (const [url, byFunction] of this.known) {
      let n = 0
      for (const ranges of byFunction.values()) n += ranges.size
      allKnown += n
      if (this.isOwn(url)) ownKnown += n
    }
    let ownCovered = 0
    for (const block of this.coveredBlocks) if (this.isOwn(block.slice(0, block.indexOf('#')))) ownCovered++
    return { ownCovered, ownKnown, allCovered: this.coveredBlocks.size, allKnown, features: this.features.size }
  }

  stop(): void {
    this.post('Profiler.stopPreciseCoverage')
    this.session.disconnect()
  }
}
