/** One cell of the bench report: a measured run, a fixed figure, or why there is none ("n/a"). */
export type Outcome = { seconds: number; cpu: number; rssMiB: number } | { fixed: string } | { na: string }

export interface Row {
  /** The goal numbers of the performance issue this row reports on. */
  goal: string
  what: string
  figure: Outcome
  peerName: string
  peer: Outcome
  target: string
}

function cell(outcome: Outcome, withCpu: boolean): string {
  if ('na' in outcome) return outcome.na ? `n/a (${outcome.na})` : 'n/a'
  if ('fixed' in outcome) return outcome.fixed
  const cores = withCpu && outcome.seconds >= 0.5 ? `, ${(outcome.cpu / outcome.seconds).toFixed(1)} cores` : ''
  return `${outcome.seconds.toFixed(2)} s / ${outcome.rssMiB.toFixed(0)} MiB / cpu ${outcome.cpu.toFixed(2)} s${cores}`
}

function ratio(figure: Outcome, peer: Outcome): string {
  if (!('seconds' in figure) || !('seconds' in peer)) return 'n/a'
  return `${(figure.seconds / Math.max(peer.seconds, 0.001)).toFixed(1)}×`
}

/**
 * The report as one Markdown table: Siegelpost's figure (wall s / peak RSS / CPU s, user+sys; for runs of 0.5 s
 * and more also CPU over wall time, "cores"), the yardstick's figure, the wall-time ratio and the goal's target.
 * On a loaded machine the CPU seconds are the steadier figure.
 */
export function formatReport(rows: readonly Row[]): string {
  const lines = [
    '| goal | what | Siegelpost | peer | peer figure | ratio | target |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.goal} | ${row.what} | ${cell(row.figure, true)} | ${row.peerName || '–'} | ` +
        `${row.peerName ? cell(row.peer, false) : '–'} | ${ratio(row.figure, row.peer)} | ${row.target} |`,
    ),
  ]
  return lines.join('\n')
}
