import { readFile, stat } from 'node:fs/promises'
import { SiegelpostError } from './errors/index.ts'
import { limits } from './limits.ts'

/**
 * Reads a secret (passphrase, password) from a file — secrets never come from arguments.
 * One trailing LF or CRLF is stripped (CLI.md); nothing else is trimmed.
 */
export async function readSecretFile(path: string): Promise<Uint8Array> {
  let bytes: Buffer
  try {
    const info = await stat(path)
    if (info.size > limits.secretFileMaxBytes) {
      throw new SiegelpostError('FILE_TOO_LARGE', { path, limit: `${limits.secretFileMaxBytes / 1024} KiB` })
    }
    bytes = await readFile(path)
  } catch (error) {
    if (error instanceof SiegelpostError) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new SiegelpostError('FILE_NOT_FOUND', { path })
    throw new SiegelpostError('FILE_UNREADABLE', { path, reason: code ?? 'I/O' })
  }
  let end = bytes.length
  if (end > 0 && bytes[end - 1] === 0x0a) end -= end > 1 && bytes[end - 2] === 0x0d ? 2 : 1
  if (end === 0) throw new SiegelpostError('SECRET_FILE_EMPTY', { path })
  return new Uint8Array(bytes.subarray(0, end))
}
