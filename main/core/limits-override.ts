import { readFileSync } from 'node:fs'
import { SiegelpostError } from './errors/index.ts'
import { limits } from './limits.ts'

/**
 * Raising the message-size limits for a measurement (`npm run bench` at 1 and 2 GiB), never a product setting:
 * the CLI reads a JSON file named by SIEGELPOST_LIMITS_FILE, says so on stderr on every run, and hands the raised
 * values to its worker threads. The file may name only the size limits below and may only raise them; no depth,
 * count, time, iteration or verification rule can be changed, and nothing can be lowered. The values stay in
 * limits.ts; this only replaces some of them, for one process, after checking every entry.
 */
export const raisableSizeLimits = [
  'attachmentMaxBytes',
  'messageMaxBytes',
  'fetchMessageMaxBytes',
  'openpgpMaxDecompressedBytes',
  'smimeBerMaxContentBytes',
] as const

export type RaisableSizeLimit = (typeof raisableSizeLimits)[number]
export type SizeLimitsOverride = Partial<Record<RaisableSizeLimit, number>>

/** The product's values, taken before anything is raised (a second raise is checked against these). */
const policy: Readonly<Record<RaisableSizeLimit, number>> = Object.fromEntries(
  raisableSizeLimits.map((key) => [key, limits[key]]),
) as Record<RaisableSizeLimit, number>

const isRaisable = (key: string): key is RaisableSizeLimit => (raisableSizeLimits as readonly string[]).includes(key)

/**
 * The schema of the file: a JSON object whose keys are raisable size limits and whose values are whole numbers of
 * bytes at least the product's value. Anything else is a coded error that names the entry and the fix.
 */
export function parseSizeLimitsOverride(value: unknown, path: string): SizeLimitsOverride {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SiegelpostError('LIMITS_FILE_NOT_JSON', { path })
  const override: SizeLimitsOverride = {}
  for (const [key, raised] of Object.entries(value)) {
    if (!isRaisable(key))
      throw new SiegelpostError('LIMITS_FILE_UNKNOWN_KEY', { path, key, allowed: raisableSizeLimits.join(', ') })
    if (typeof raised !== 'number' || !Number.isSafeInteger(raised) || raised < policy[key])
      throw new SiegelpostError('LIMITS_FILE_BAD_VALUE', {
        path,
        key,
        value: JSON.stringify(raised) ?? String(raised),
        policy: policy[key],
      })
    override[key] = raised
  }
  return override
}

/** Reads and checks the file (at most limits.secretFileMaxBytes: it is a few lines of JSON). */
export function readSizeLimitsFile(path: string): SizeLimitsOverride {
  let text: string
  try {
    const bytes = readFileSync(path)
    if (bytes.length > limits.secretFileMaxBytes)
      throw new SiegelpostError('LIMITS_FILE_UNREADABLE', { path, reason: 'too large' })
    text = bytes.toString('utf8')
  } catch (error) {
    if (error instanceof SiegelpostError) throw error
    const reason = (error as NodeJS.ErrnoException).code ?? String(error)
    throw new SiegelpostError('LIMITS_FILE_UNREADABLE', { path, reason }, { cause: error })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new SiegelpostError('LIMITS_FILE_NOT_JSON', { path }, { cause: error })
  }
  return parseSizeLimitsOverride(parsed, path)
}

/** Replaces the named size limits in `limits` for this process (or worker thread), checked again here. */
export function raiseSizeLimits(override: SizeLimitsOverride, path = 'SIEGELPOST_LIMITS_FILE'): void {
  Object.assign(limits as unknown as Record<RaisableSizeLimit, number>, parseSizeLimitsOverride(override, path))
}

/** In a worker thread: the size limits its starter raised (`workerData.raisedSizeLimits`), checked again here. */
export function raiseSizeLimitsFromWorkerData(data: unknown): void {
  const raised = (data as { raisedSizeLimits?: SizeLimitsOverride | null } | null)?.raisedSizeLimits
  if (raised) raiseSizeLimits(raised)
}

/** The size limits above the product's values now, or null: what a worker thread must be given too. */
export function raisedSizeLimits(): SizeLimitsOverride | null {
  const raised = Object.fromEntries(
    raisableSizeLimits.filter((key) => limits[key] > policy[key]).map((key) => [key, limits[key]]),
  )
  return Object.keys(raised).length > 0 ? raised : null
}

/** Puts the product's values back (tests that ran a raise in-process). */
export function restorePolicySizeLimits(): void {
  Object.assign(limits as unknown as Record<RaisableSizeLimit, number>, policy)
}
