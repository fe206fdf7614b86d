import { createRequire } from 'node:module'

/**
 * qpdf compiled to WebAssembly (library-facts §13): the one encryptor we found that writes AES-256 with
 * security handler revision 6 and encrypts every string, the embedded-file name tree included. The plain PDF
 * lives only in the module's in-memory file system (MEMFS), never on disk; each call gets a fresh module, so
 * a container's plaintext does not stay in a long-lived WebAssembly heap. `callMain` blocks: in the app it
 * runs in a worker thread.
 */
interface QpdfModule {
  callMain(args: string[]): number
  FS: {
    writeFile(path: string, data: Uint8Array): void
    readFile(path: string): Uint8Array
    unlink(path: string): void
  }
}
type QpdfFactory = (options: {
  locateFile: () => string
  print: (text: string) => void
  printErr: (text: string) => void
}) => Promise<QpdfModule>

const requirePackage = createRequire(import.meta.url)

async function loadQpdf(messages: string[]): Promise<QpdfModule> {
  const factory = requirePackage('@neslinesli93/qpdf-wasm') as QpdfFactory
  const wasm = requirePackage.resolve('@neslinesli93/qpdf-wasm/dist/qpdf.wasm')
  // This build binds console.log/console.error when a module is made and ignores print/printErr: qpdf's own
  // messages (which may name the in-memory file) would reach the user's terminal. Bind it to a collector.
  const original = { log: console.log, error: console.error }
  const collect = (...parts: unknown[]) => void messages.push(parts.map(String).join(' '))
  console.log = collect
  console.error = collect
  try {
    return await factory({ locateFile: () => wasm, print: collect, printErr: collect })
  } finally {
    console.log = original.log
    console.error = original.error
  }
}

export interface QpdfOutcome {
  /** qpdf's exit code: 0 ok, 2 error, 3 warnings only. */
  exit: number
  output: Uint8Array | null
  messages: string[]
}

async function run(input: Uint8Array, args: (inPath: string, outPath: string) => string[]): Promise<QpdfOutcome> {
  const messages: string[] = []
  const qpdf = await loadQpdf(messages)
  qpdf.FS.writeFile('/in.pdf', input)
  let exit: number
  try {
    exit = qpdf.callMain(args('/in.pdf', '/out.pdf'))
  } catch (error) {
    // Emscripten throws ExitStatus for exit(); anything else is a qpdf abort.
    exit = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 2
    messages.push(String((error as Error).message ?? error))
  }
  let output: Uint8Array | null
  try {
    output = exit === 0 || exit === 3 ? new Uint8Array(qpdf.FS.readFile('/out.pdf')) : null
  } catch {
    output = null
  }
  for (const path of ['/in.pdf', '/out.pdf']) {
    try {
      qpdf.FS.unlink(path)
    } catch {
      // not written
    }
  }
  return { exit, output, messages }
}

/** AES-256, revision 6; the owner password is random and never kept (nobody may lift the protection). */
export function encryptPdf(plain: Uint8Array, userPassword: string, ownerPassword: string): Promise<QpdfOutcome> {
  return run(plain, (inPath, outPath) => [
    inPath,
    '--encrypt',
    `--user-password=${userPassword}`,
    `--owner-password=${ownerPassword}`,
    '--bits=256',
    '--',
    '--object-streams=generate',
    outPath,
  ])
}

export function decryptPdf(encrypted: Uint8Array, password: string): Promise<QpdfOutcome> {
  return run(encrypted, (inPath, outPath) => [`--password=${password}`, '--decrypt', inPath, outPath])
}

export type PasswordCheck = 'accepted' | 'refused' | 'not-encrypted'

/**
 * Decided by structure and exit codes, never by qpdf's wording. An encrypted PDF names its /Encrypt dictionary in
 * the trailer, which is never encrypted. qpdf 12 (this build) must open a file even for `--is-encrypted`, so
 * only `--requires-password --password=…` is asked: it exits 3 when the password opens the file.
 */
export async function checkPassword(encrypted: Uint8Array, password: string): Promise<PasswordCheck> {
  if (!Buffer.from(encrypted.buffer, encrypted.byteOffset, encrypted.byteLength).includes('/Encrypt'))
    return 'not-encrypted'
  const outcome = await run(encrypted, (inPath) => ['--requires-password', `--password=${password}`, inPath])
  return outcome.exit === 3 ? 'accepted' : 'refused'
}
