import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { SiegelpostError } from './errors/index.ts'
import { limits } from './limits.ts'
import {
  parseSizeLimitsOverride,
  raisableSizeLimits,
  raiseSizeLimits,
  raisedSizeLimits,
  readSizeLimitsFile,
  restorePolicySizeLimits,
} from './limits-override.ts'

const policyAttachment = limits.attachmentMaxBytes
afterEach(restorePolicySizeLimits)

function codeOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    if (error instanceof SiegelpostError) return error.code
    throw error
  }
  return 'none'
}

describe('the size-limit override (SIEGELPOST_LIMITS_FILE)', () => {
  it('names only byte-size limits of limits.ts', () => {
    for (const key of raisableSizeLimits) {
      expect(key).toMatch(/Bytes$/)
      expect(typeof limits[key]).toBe('number')
    }
  })

  it('raises the named size limits for this process, tells which are raised, and puts the policy back', () => {
    expect(raisedSizeLimits()).toBeNull()
    raiseSizeLimits({ attachmentMaxBytes: 2 ** 31, messageMaxBytes: limits.messageMaxBytes })
    expect(limits.attachmentMaxBytes).toBe(2 ** 31)
    // Equal to the policy is allowed and is no raise.
    expect(raisedSizeLimits()).toEqual({ attachmentMaxBytes: 2 ** 31 })
    restorePolicySizeLimits()
    expect(limits.attachmentMaxBytes).toBe(policyAttachment)
    expect(raisedSizeLimits()).toBeNull()
  })

  it.each([
    ['a value below the policy', { attachmentMaxBytes: policyAttachment - 1 }, 'LIMITS_FILE_BAD_VALUE'],
    ['zero', { messageMaxBytes: 0 }, 'LIMITS_FILE_BAD_VALUE'],
    ['a fraction', { messageMaxBytes: 2 ** 31 + 0.5 }, 'LIMITS_FILE_BAD_VALUE'],
    ['a string', { messageMaxBytes: '2147483648' }, 'LIMITS_FILE_BAD_VALUE'],
    ['a depth limit', { mimeMaxDepth: 10_000 }, 'LIMITS_FILE_UNKNOWN_KEY'],
    ['an iteration cap', { p12MaxIterations: 10 ** 9 }, 'LIMITS_FILE_UNKNOWN_KEY'],
    ['a time limit', { wkdTimeoutMs: 60_000 }, 'LIMITS_FILE_UNKNOWN_KEY'],
    ['a vault file size (not a message size)', { vaultFileMaxBytes: 2 ** 31 }, 'LIMITS_FILE_UNKNOWN_KEY'],
    ['an array', [], 'LIMITS_FILE_NOT_JSON'],
    ['null', null, 'LIMITS_FILE_NOT_JSON'],
  ])('refuses %s', (_what, value, code) => {
    expect(codeOf(() => parseSizeLimitsOverride(value, 'limits.json'))).toBe(code)
  })

  it('raises nothing when one entry is refused', () => {
    const mixed = { attachmentMaxBytes: 2 ** 31, mimeMaxDepth: 10_000 } as Record<string, number>
    expect(codeOf(() => raiseSizeLimits(mixed))).toBe('LIMITS_FILE_UNKNOWN_KEY')
    expect(codeOf(() => raiseSizeLimits({ attachmentMaxBytes: 2 ** 31, messageMaxBytes: 1 }))).toBe(
      'LIMITS_FILE_BAD_VALUE',
    )
    expect(limits.attachmentMaxBytes).toBe(policyAttachment)
    expect(raisedSizeLimits()).toBeNull()
  })

  it('reads the file: unreadable, not JSON and too large are coded errors with the fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sp-limits-'))
    try {
      await writeFile(join(dir, 'ok.json'), '{"attachmentMaxBytes": 2147483648}')
      expect(readSizeLimitsFile(join(dir, 'ok.json'))).toEqual({ attachmentMaxBytes: 2 ** 31 })
      // Reading alone raises nothing.
      expect(limits.attachmentMaxBytes).toBe(policyAttachment)
      await writeFile(join(dir, 'bad.json'), 'attachmentMaxBytes=2147483648')
      expect(codeOf(() => readSizeLimitsFile(join(dir, 'bad.json')))).toBe('LIMITS_FILE_NOT_JSON')
      expect(codeOf(() => readSizeLimitsFile(join(dir, 'missing.json')))).toBe('LIMITS_FILE_UNREADABLE')
      await writeFile(join(dir, 'huge.json'), ' '.repeat(limits.secretFileMaxBytes + 1))
      expect(codeOf(() => readSizeLimitsFile(join(dir, 'huge.json')))).toBe('LIMITS_FILE_UNREADABLE')
      const error = (() => {
        try {
          readSizeLimitsFile(join(dir, 'bad.json'))
        } catch (thrown) {
          return thrown as SiegelpostError
        }
      })()!
      expect(error.localized('de')).toMatch(/kein JSON-Objekt.*entfernen Sie SIEGELPOST_LIMITS_FILE/)
      expect(error.localized('en')).toMatch(/not a JSON object.*unset SIEGELPOST_LIMITS_FILE/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
