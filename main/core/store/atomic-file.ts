import { constants } from 'node:fs'
import { copyFile, open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import { SiegelpostError } from '../errors/index.ts'
import { releaseBytes } from '../streaming/release.ts'

export interface AtomicWriteOptions {
  /** Keep the previous content at `path.bak` (stores: yes; exported files: no). Default true. */
  backup?: boolean
  /** File mode for a new file; 0600 unless the content is public. */
  mode?: number
  /**
   * Chunks written while the next ones are produced (default 0: each write awaited before the next chunk is
   * asked for). More than 0 only when the producer never changes a chunk after handing it out, and never frees
   * one itself: a chunk is read by its write until that completes (`releasesWritten` frees it then).
   */
  writesAhead?: number
  /**
   * The chunks are the writer's alone (new buffers nothing else refers to, each handed out once, as a composer's):
   * each is freed (releaseBytes) as soon as its write is complete instead of at the thread's next collection.
   */
  releasesWritten?: boolean
}

export interface AtomicWriteHooks {
  /** Called after the new content is durable in the temp file and before anything is renamed (crash tests). */
  afterTempWrite?: () => Promise<void>
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
}

async function fsyncPath(path: string, flags: string): Promise<void> {
  const handle = await open(path, flags)
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** fsync of a directory makes the rename durable; Windows cannot open directories, and its renames are journaled. */
async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return
  await fsyncPath(dir, 'r')
}

export function backupPathOf(path: string): string {
  return `${path}.bak`
}

/** `bytes` at `position` of the file, however many writes it takes. */
async function writeAt(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done)
    done += bytesWritten
  }
}

/** While writes run ahead, what is written is flushed to the disk every this many bytes (one flush at a time). */
const flushEveryBytes = 16 * 1024 * 1024

/**
 * The chunks one after another from the start of the file, up to `ahead` writes running (each at its own
 * position, in the thread pool) while the producer makes the next chunk: for a large message, the disk's work
 * overlaps the encoding and encryption instead of following it — also the flush to the disk, started every
 * flushEveryBytes, so that the closing fsync does not write a 200 MB message all at once.
 */
async function writeChunks(
  handle: FileHandle,
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  ahead: number,
  releasesWritten = false,
): Promise<void> {
  const running: Promise<void>[] = []
  let flushing: Promise<void> | null = null
  let position = 0
  let flushedAt = 0
  try {
    for await (const chunk of chunks) {
      const written = writeAt(handle, chunk, position)
      running.push(releasesWritten ? written.then(() => releaseBytes(chunk)) : written)
      position += chunk.length
      if (running.length > ahead) await running.shift()
      if (ahead > 0 && !flushing && position - flushedAt >= flushEveryBytes) {
        flushedAt = position
        flushing = handle.datasync().finally(() => (flushing = null))
      }
    }
    await Promise.all(running)
    await flushing
  } finally {
    // A failed write or producer: nothing may still be writing when the caller closes the file.
    await Promise.allSettled([...running, flushing])
  }
}

/**
 * Replace `path` with `bytes` so that a crash at any moment leaves either the old or the new
 * content at `path`, never a mix: temp file + fsync + rename. The previous generation is kept at
 * `path.bak` (itself replaced atomically) so a damaged current file still has a way back.
 */
export async function writeFileAtomic(
  path: string,
  bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  hooks: AtomicWriteHooks = {},
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(path)
  const temp = `${path}.tmp`
  const handle = await open(
    temp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC,
    options.mode ?? 0o600,
  ).catch((error: unknown) => {
    throw unwritable(path, temp, error)
  })
  try {
    if (bytes instanceof Uint8Array) await handle.writeFile(bytes)
    else await writeChunks(handle, bytes, options.writesAhead ?? 0, options.releasesWritten)
    await handle.sync()
  } catch (error) {
    await handle.close()
    await rm(temp, { force: true })
    throw unwritable(path, temp, error)
  }
  await handle.close()
  await hooks.afterTempWrite?.()

  if ((options.backup ?? true) && (await exists(path))) {
    const backup = backupPathOf(path)
    const backupTemp = `${backup}.tmp`
    await copyFile(path, backupTemp)
    await fsyncPath(backupTemp, 'r+')
    await rename(backupTemp, backup)
  }
  await rename(temp, path)
  await fsyncDir(dir)
}

/**
 * The file system's refusal to write `temp` (a missing folder, no permission, a full disk) as the coded error that
 * names the file and the fix; anything else — the producer's own errors, a failed read of another file — passes
 * through unchanged.
 */
function unwritable(path: string, temp: string, error: unknown): unknown {
  const { code, path: about } = (error ?? {}) as NodeJS.ErrnoException
  if (error instanceof SiegelpostError || typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return error
  if (about !== undefined && about !== temp) return error
  return new SiegelpostError('FILE_UNWRITABLE', { path, reason: code }, { cause: error })
}

/** A store file's bytes, or null when it was never written; any other read error is FILE_UNREADABLE. */
export async function readStoreFile(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return null
    throw new SiegelpostError('FILE_UNREADABLE', { path, reason: code ?? 'I/O' })
  }
}
