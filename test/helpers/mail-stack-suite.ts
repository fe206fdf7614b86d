import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { startMailStack, type MailStack, type MailStackOptions } from './mail-stack.ts'
import { assertBuilt } from './run-cli.ts'

export interface MailStackSuiteOptions extends MailStackOptions {
  /** Whether the suite runs the built CLI or window: checked first, with the fix named. Yes unless said. */
  needsBuild?: boolean
}

export interface MailStackSuite {
  /** The running stack, from the suite's first beforeAll on. */
  stack: MailStack
  /** A temp folder of the suite's own (profiles, key and password files). */
  work: string
}

/**
 * The mail stack (with `options`) and a temp folder (`prefix` + random) for one describe block: registers a
 * beforeAll that checks the build (unless `needsBuild: false`), starts the stack and makes the folder, and an
 * afterAll that stops the stack and removes the folder. Hooks registered after this call run after the start and
 * before the stop.
 */
export function mailStackSuite(prefix: string, options: MailStackSuiteOptions = {}): MailStackSuite {
  const { needsBuild = true, ...stackOptions } = options
  const suite: MailStackSuite = { stack: undefined as unknown as MailStack, work: '' }
  beforeAll(async () => {
    if (needsBuild) assertBuilt()
    suite.stack = startMailStack(stackOptions)
    suite.work = await mkdtemp(join(tmpdir(), prefix))
  }, 120_000)
  afterAll(async () => {
    suite.stack?.stop()
    if (suite.work) await rm(suite.work, { recursive: true, force: true })
  })
  return suite
}
