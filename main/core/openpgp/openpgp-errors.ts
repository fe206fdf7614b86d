import { SiegelpostError, type ErrorCode, type ErrorParams } from '../errors/index.ts'

const firstLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200)

/**
 * A decryption failure as a coded error. openpgp.js has no error codes, so its texts are read
 * here and only here; our own failures (decrypt-stream.ts) are SiegelpostErrors already and pass
 * through, and so do errors of other layers (a damaged mail, a worker that died).
 */
export function openpgpErrorOf(error: unknown): SiegelpostError {
  if (error instanceof SiegelpostError) return error
  const message = firstLine(error)
  const coded = (code: ErrorCode, params: ErrorParams = {}) => new SiegelpostError(code, params, { cause: error })
  if (/not authenticated|integrity|MDC/i.test(message)) return coded('ENCRYPTION_NO_INTEGRITY')
  if (/Modification detected|Authentication tag|tag mismatch/i.test(message)) return coded('ENCRYPTION_ALTERED')
  if (/decompressed message size/i.test(message)) return coded('ENCRYPTION_TOO_LARGE')
  if (/Session key decryption failed|decryption key packets/i.test(message)) return coded('ENCRYPTION_NOT_FOR_YOU')
  return coded('ENCRYPTION_UNREADABLE', { detail: message })
}
