import type { SiegelpostError } from '../errors/index.ts'

/**
 * How a submission failed, as far as the message is concerned (smtp-submit.ts throws them). A module of their own:
 * sending (send.ts) tells them apart without loading the SMTP client, which it loads only when it connects.
 */

/** The mail did not go out, and we know it did not (the server refused, or we stopped before MAIL). */
export class NotSentError extends Error {
  readonly reason: SiegelpostError
  constructor(reason: SiegelpostError) {
    super(reason.message)
    this.reason = reason
  }
}
/** The connection failed during the transfer: the server may or may not have taken the message. */
export class MaybeSentError extends Error {
  readonly reason: SiegelpostError
  constructor(reason: SiegelpostError) {
    super(reason.message)
    this.reason = reason
  }
}
