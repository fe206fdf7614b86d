import { measureComposeSend } from './compose-send-rss.ts'

/**
 * compose --send of one attachment to three recipients, and send FILE of a finished .eml of that size, through the
 * real Postfix and Dovecot (compose-send-rss.ts): wall time, CPU and peak RSS. Run after a build: `node test/bench/compose-send.bench.ts [MiB ...]` (default 100,
 * or BENCH_SIZES_MB=20,100). Needs root and the Debian mail packages (the test stack); says n/a otherwise.
 */
const sizes = (process.argv.length > 2 ? process.argv.slice(2) : (process.env.BENCH_SIZES_MB ?? '100').split(','))
  .map(Number)
  .filter((n) => n > 0)

console.log('| command | size | copies | wall time | CPU (user+sys) | peak RSS |')
console.log('|---|---|---|---|---|---|')
for (const { kind, mib, outcome, states } of measureComposeSend(sizes)) {
  const what = kind === 'compose' ? 'compose --send' : 'send FILE'
  if (!('seconds' in outcome))
    console.log(`| ${what} | ${mib} MiB | n/a (${'na' in outcome ? outcome.na : ''}) | | | |`)
  else
    console.log(
      `| ${what} | ${mib} MiB | ${states.split(',').length} (${states}) | ${outcome.seconds.toFixed(1)} s | ` +
        `${outcome.cpu.toFixed(1)} s | ${outcome.rssMiB.toFixed(0)} MiB |`,
    )
}
