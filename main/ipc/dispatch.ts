import type { z } from 'zod'
import { contract, type Channel, type Contract, type Result } from '../../preload/contract.ts'
import { SiegelpostError, toSiegelpostError } from '../core/errors/index.ts'
import { limits } from '../core/limits.ts'
import { isTrustedOrigin } from '../shell-policy.ts'

/** One async function per channel, taking the parsed request. Built from the core in registry.ts. */
export type Handlers = {
  [C in Channel]: (request: z.output<Contract[C]['req']>) => Promise<z.input<Contract[C]['res']>>
}

/** The handlers of the channels `<domain>:*`: what one `main/ipc/<domain>-handlers.ts` file builds. */
export type DomainHandlers<Domain extends string> = Pick<Handlers, Extract<Channel, `${Domain}:${string}`>>

/** Who sent an IPC request: the sending frame's URL and whether it is the window's main frame. */
export interface Sender {
  url: string
  isMainFrame: boolean
}

/** Our own UI only: the main frame, loaded from one of the trusted origins (`app://siegelpost` in the app). */
export function isTrustedSender(sender: Sender, trustedOrigins: readonly string[]): boolean {
  return sender.isMainFrame && isTrustedOrigin(sender.url, trustedOrigins)
}

export interface DispatcherOptions {
  handlers: Handlers
  trustedOrigins: readonly string[]
  /** Receives security-relevant refusals and bugs; codes and channels only, never payloads. */
  log?: (event: { channel: string; code: string; kind: string }) => void
}

export type Dispatch = (channel: string, sender: Sender, payload: unknown) => Promise<Result<unknown>>

/**
 * The generic IPC entry: checks the sender, parses the payload with the contract, runs the
 * handler and strips its answer to the response schema. Never throws; every failure is an
 * `{ ok: false, error }` with a code from the error table.
 */
export function createDispatcher(options: DispatcherOptions): Dispatch {
  return async (channel, sender, payload) => {
    try {
      if (!Object.hasOwn(contract, channel)) throw new SiegelpostError('IPC_UNKNOWN_CHANNEL', { channel })
      const name = channel as Channel
      if (!isTrustedSender(sender, options.trustedOrigins)) throw new SiegelpostError('IPC_UNTRUSTED_SENDER')
      if (payload !== undefined && JSON.stringify(payload).length > limits.ipcPayloadMaxBytes) {
        throw new SiegelpostError('IPC_BAD_REQUEST', { channel })
      }
      const request = contract[name].req.safeParse(payload)
      if (!request.success) throw new SiegelpostError('IPC_BAD_REQUEST', { channel })
      const handler = options.handlers[name] as (request: unknown) => Promise<unknown>
      const value: unknown = contract[name].res.parse(await handler(request.data))
      return { ok: true, value }
    } catch (thrown) {
      const error = toSiegelpostError(thrown)
      if (error.kind === 'bug') options.log?.({ channel, code: error.code, kind: error.kind })
      return { ok: false, error: error.toInfo() }
    }
  }
}
