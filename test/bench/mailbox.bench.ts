import { measureList, measureSync } from './mailbox-rows.ts'

/**
 * Mailbox benchmark: sync of N messages from the test Dovecot into the sealed store (messages/s) against a
 * bare imapflow FETCH of the same messages (the library's floor; goal ≤ 1.3×), and listing 10,000 rows
 * from the open store in-process (goal ≤ 100 ms). Needs root and the Debian mail packages.
 * Run: `node test/bench/mailbox.bench.ts [N]` (default 10000, or BENCH_MAILBOX_N). With BENCH_MAILBOX_PROFILE=FILE
 * the sync runs are recorded by V8's CPU profiler into FILE (.cpuprofile, for Chrome DevTools or a script).
 */
const n = Number(process.argv[2] ?? process.env.BENCH_MAILBOX_N ?? 10_000)
const { host, bare, sync } = await measureSync(n, { profile: process.env.BENCH_MAILBOX_PROFILE })
const list = measureList(10_000)

const rate = (ms: number) => String(Math.round((n / ms) * 1000)).padStart(7)
const cpu = (ms: number) => `cpu ${(ms / 1000).toFixed(2)} s`
console.log(`mailbox bench (N=${n}, Dovecot ${host}; the faster of 2 runs; CPU of this process, not Dovecot's)`)
console.log(`  bare imapflow FETCH   ${bare.ms.toFixed(0).padStart(7)} ms  ${rate(bare.ms)} msgs/s  ${cpu(bare.cpuMs)}`)
console.log(
  `  Siegelpost sync       ${sync.ms.toFixed(0).padStart(7)} ms  ${rate(sync.ms)} msgs/s  ${cpu(sync.cpuMs)}  ` +
    `ratio ${(sync.ms / bare.ms).toFixed(2)}× (goal ≤ 1.3×), CPU ratio ${(sync.cpuMs / bare.cpuMs).toFixed(2)}× ` +
    `(main thread ${cpu(sync.mainCpuMs)}, store writer ${cpu(sync.cpuMs - sync.mainCpuMs)})`,
)
console.log(
  `  list ${list.rows} rows, first after opening  ${list.coldMs.toFixed(0)} ms (cpu ${list.coldCpuMs.toFixed(0)} ms)`,
)
console.log(
  `  list ${list.rows} rows, first without a snapshot (unseals every row)  ${list.unsealedMs.toFixed(0)} ms` +
    ` (cpu ${list.unsealedCpuMs.toFixed(0)} ms)`,
)
console.log(
  `  list ${list.rows} rows, open store, unchanged (median of 5)  ${list.warmMs.toFixed(1)} ms (goal ≤ 100 ms)`,
)
console.log(
  `  list ${list.rows} rows, open store, after one flag change  ${list.afterWriteMs.toFixed(0)} ms (goal ≤ 100 ms)`,
)
console.log(`  search "unterlagen 99" over ${list.rows} rows    ${list.searchMs.toFixed(0)} ms (${list.hits} hits)`)
