import { readFileSync } from 'node:fs'
import { basename } from 'node:path'

/**
 * The flame summary of a V8 .cpuprofile (from `node --cpu-prof`; one file per thread): where the thread's time went,
 * by self time, grouped by package (node_modules/<name>), our own source files and V8's own entries (GC, idle,
 * program). Prints the groups and the functions above `--min` percent. Usage:
 *   node test/bench/flame-summary.ts CPU.*.cpuprofile [--min 2]
 */
interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}

interface Profile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

/** The group a frame's time is counted under: a package, a file of ours, or V8's own. */
export function groupOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)'
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg) return pkg[1]!
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0]
  return basename(url.replace(/^file:\/\//, ''))
}

export function summarize(profile: Profile, minPercent: number): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const selfMs = new Map<number, number>()
  profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000))
  const total = [...selfMs.values()].reduce((a, b) => a + b, 0)
  const groups = new Map<string, number>()
  const functions = new Map<string, number>()
  for (const [id, ms] of selfMs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame
    const group = groupOf(url, functionName)
    groups.set(group, (groups.get(group) ?? 0) + ms)
    const name = `${functionName || '(anonymous)'} ${url ? `${group}:${lineNumber + 1}` : ''}`.trim()
    functions.set(name, (functions.get(name) ?? 0) + ms)
  }
  const line = ([name, ms]: [string, number]) =>
    `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${name}`
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1])
  return [
    `total ${total.toFixed(0)} ms of samples`,
    'by group:',
    ...sorted(groups)
      .filter(([, ms]) => (100 * ms) / total >= minPercent)
      .map(line),
    'by function (self):',
    ...sorted(functions)
      .filter(([, ms]) => (100 * ms) / total >= minPercent)
      .map(line),
  ]
}

/** The summary of one .cpuprofile file. */
export const summaryOfFile = (file: string, minPercent: number): string[] =>
  summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile, minPercent)

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2)
  const at = args.indexOf('--min')
  const min = at >= 0 ? Number(args.splice(at, 2)[1]) : 2
  for (const file of args) {
    console.log(`# ${basename(file)}`)
    for (const line of summaryOfFile(file, min)) console.log(line)
  }
}
