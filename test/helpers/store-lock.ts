import { spawn, type ChildProcess } from 'node:child_process'

/**
 * Another process holding a SQLite store's write lock (BEGIN IMMEDIATE) for `ms`, as a CLI in the middle of a
 * sync would: `locked` resolves once it holds it, `exited` when it let go.
 */
export function holdWriteLock(
  path: string,
  ms: number,
): { child: ChildProcess; locked: Promise<void>; exited: Promise<void> } {
  const script =
    `const db = new (require('node:sqlite').DatabaseSync)(${JSON.stringify(path)});` +
    `db.exec('BEGIN IMMEDIATE'); process.stdout.write('locked\\n');` +
    `setTimeout(() => db.exec('COMMIT'), ${ms})`
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  const locked = new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return { child, locked, exited }
}

/** Runs `action` while measuring the longest gap between ticks of a 20 ms timer (a blocked event loop) and its time. */
export async function timedTicks<T>(action: () => Promise<T>): Promise<{ result: T; longest: number; took: number }> {
  let longest = 0
  let last = Date.now()
  const timer = setInterval(() => {
    longest = Math.max(longest, Date.now() - last)
    last = Date.now()
  }, 20)
  const started = Date.now()
  try {
    const result = await action()
    return { result, longest: Math.max(longest, Date.now() - last), took: Date.now() - started }
  } finally {
    clearInterval(timer)
  }
}
