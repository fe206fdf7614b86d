import type { AppInfo, KeyFileRequest } from '../../preload/contract.ts'
import { SiegelpostError } from '../core/errors/index.ts'
import { listKeys } from '../core/keys/key-list.ts'
import { confirmFingerprint, deleteKey, importKeyFile, inspectKeyFile } from '../core/keys/key-store.ts'
import { summarizeKey } from '../core/keys/stored-key.ts'
import type { KeyTechnology } from '../core/keys/technology.ts'
import type { Vault } from '../core/keys/vault.ts'
import type { Handlers } from './dispatch.ts'

export interface RegistryDeps {
  appInfo: AppInfo
  /** Opens the vault on first use (creating it if needed); a failure is retried on the next call. */
  getVault: () => Promise<Vault>
  now: () => Date
  technologies: readonly KeyTechnology[]
}

/** Pasted text is not a file: say so in the error. */
async function withPastedWording<T>(request: KeyFileRequest, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (request.pasted && error instanceof SiegelpostError && error.code === 'KEY_FORMAT_UNKNOWN') throw new SiegelpostError('KEY_TEXT_UNKNOWN')
    throw error
  }
}

/** The file as the core reads it; the passphrase is turned into bytes here and never returned. */
function keyFile(request: KeyFileRequest) {
  return {
    file: { bytes: Buffer.from(request.data, 'base64'), fileName: request.fileName, path: request.fileName },
    passphrase: request.passphrase === undefined ? null : new TextEncoder().encode(request.passphrase),
  }
}

/** The handler registry: one plain async function per contract channel, built from the core. */
export function createHandlers(deps: RegistryDeps): Handlers {
  return {
    'app:info': async () => deps.appInfo,
    'keys:list': async () => listKeys(await deps.getVault(), deps.now()),
    'keys:inspect': (request) =>
      withPastedWording(request, async () => {
        const { file, passphrase } = keyFile(request)
        const now = deps.now()
        const known = new Set((await deps.getVault()).contents.keys.map((key) => `${key.technology}:${key.fingerprint}`))
        const keys = await inspectKeyFile(deps.technologies, file, { passphrase, now })
        return keys.map((key) => ({ ...summarizeKey(key, now), isNew: !known.has(`${key.technology}:${key.fingerprint}`) }))
      }),
    'keys:import': (request) =>
      withPastedWording(request, async () => {
        const { file, passphrase } = keyFile(request)
        const now = deps.now()
        const keys = await importKeyFile(await deps.getVault(), deps.technologies, file, { passphrase, now })
        return keys.map((key) => summarizeKey(key, now))
      }),
    'keys:verify': async ({ id, fingerprint }) => summarizeKey(await confirmFingerprint(await deps.getVault(), id, fingerprint), deps.now()),
    'keys:delete': async ({ id }) => ({ fingerprint: (await deleteKey(await deps.getVault(), id)).fingerprint }),
    'vault:status': async () => (await deps.getVault()).info(),
  }
}

/** Opens once, shares the open vault, and forgets a failed attempt so the user can fix and retry. */
export function lazyVault(open: () => Promise<Vault>): () => Promise<Vault> {
  let pending: Promise<Vault> | null = null
  return () => {
    pending ??= open().catch((error: unknown) => {
      pending = null
      throw error
    })
    return pending
  }
}
