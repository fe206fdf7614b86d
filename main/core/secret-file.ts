import { readFile, stat } from 'node:fs/promises'
import { SiegelpostError } from './errors/index.ts'
import { limits } from './limits.ts'

function describeLimit(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`
}

/** Reads a whole input file the user named, refusing anything over `maxBytes`, with errors that name the path. */
export async function readLimitedFile(path: string, maxBytes: number): Promise<Buffer> {
  return withFileErrors(path, async () => {
    await checkInputFile(path, maxBytes)
    return await readFile(path)
  })
}

/** The checks of readLimitedFile without reading (for files read in chunks): exists, is a file, not over `maxBytes`; returns the size. */
export async function checkInputFile(path: string, maxBytes: number): Promise<number> {
  return withFileErrors(path, async () => {
    const info = await stat(path)
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' })
    if (info.size > maxBytes) throw new SiegelpostError('FILE_TOO_LARGE', { path, limit: describeLimit(maxBytes) })
    return info.size
  })
}

async function withFileErrors<T>(path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (error instanceof SiegelpostError) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new SiegelpostError('FILE_NOT_FOUND', { path })
    throw new SiegelpostError('FILE_UNREADABLE', { path, reason: code ?? 'I/O' })
  }
}

/**
 * Reads a secret (passphrase, password) from a file — secrets never come from arguments.
 * One trailing LF or CRLF is stripped (CLI.md); nothing else is trimmed.
 */
export async function readSecretFile(path: string): Promise<Uint8Array> {
  const bytes = await readLimitedFile(path, limits.secretFileMaxBytes)
  let end = bytes.length
  if (end > 0 && bytes[end - 1] === 0x0a) end -= end > 1 && bytes[end - 2] === 0x0d ? 2 : 1
  if (end === 0) throw new SiegelpostError('SECRET_FILE_EMPTY', { path })
  return new Uint8Array(bytes.subarray(0, end))
}
