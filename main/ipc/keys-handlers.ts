import { basename } from 'node:path'
import type { KeyFileRequest } from '../../preload/contract.ts'
import { keyShareDraft } from '../core/drafts/key-draft.ts'
import { SiegelpostError } from '../core/errors/index.ts'
import { BackupSessions } from '../core/keys/backup.ts'
import { discoverKeys } from '../core/keys/key-discovery.ts'
import { keyFileName, recoverySheetFileName } from '../core/keys/key-file-names.ts'
import { listKeys, previewImport } from '../core/keys/key-list.ts'
import {
  confirmFingerprint,
  deleteKey,
  findKey,
  generateKey,
  importKeyFile,
  revocationCertificate,
} from '../core/keys/key-store.ts'
import { publicKeyFile, publicKeyText } from '../core/keys/public-key.ts'
import { createRecoverySheet } from '../core/keys/recovery-sheet.ts'
import { summarizeKey } from '../core/keys/stored-key.ts'
import { createCertificateRequest } from '../core/smime/certificate-store.ts'
import { missingIssuerOf } from '../core/smime/chain-check.ts'
import { writeFileAtomic } from '../core/store/atomic-file.ts'
import type { DomainHandlers } from './dispatch.ts'
import type { RegistryDeps, SaveRequest } from './handler-deps.ts'

/** Writes a file the user asked for; private material (backups, the sheet with its code) only for the user. */
async function saveFile(deps: RegistryDeps, request: SaveRequest, bytes: () => Promise<Uint8Array>) {
  const path = await deps.chooseSavePath(request)
  if (path === null) return { saved: false, fileName: request.suggestedName }
  await writeFileAtomic(path, await bytes(), {}, { backup: false, mode: request.kind === 'public' ? 0o644 : 0o600 })
  return { saved: true, fileName: basename(path) }
}

/** Pasted text is not a file: say so in the error. */
async function withPastedWording<T>(request: KeyFileRequest, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    const isUnknownFormat = error instanceof SiegelpostError && error.code === 'KEY_FORMAT_UNKNOWN'
    if (request.pasted && isUnknownFormat) throw new SiegelpostError('KEY_TEXT_UNKNOWN')
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

/** The key manager: `keys:*`, as the CLI's keys commands. */
export function keysHandlers(deps: RegistryDeps): DomainHandlers<'keys'> {
  const backups = new BackupSessions(deps.now)
  const { technologies } = deps
  return {
    'keys:list': async () => listKeys(await deps.getVault(), deps.now()),
    'keys:inspect': (request) =>
      withPastedWording(request, async () => {
        const { file, passphrase } = keyFile(request)
        return previewImport(await deps.getVault(), technologies, file, { passphrase, now: deps.now() })
      }),
    'keys:import': (request) =>
      withPastedWording(request, async () => {
        const { file, passphrase } = keyFile(request)
        const now = deps.now()
        const keys = await importKeyFile(await deps.getVault(), technologies, file, { passphrase, now })
        return keys.map((key) => summarizeKey(key, now))
      }),
    'keys:verify': async ({ id, fingerprint }) =>
      summarizeKey(await confirmFingerprint(await deps.getVault(), id, fingerprint), deps.now()),
    'keys:delete': async ({ id }) => ({ fingerprint: (await deleteKey(await deps.getVault(), id)).fingerprint }),
    'keys:generate': async (request) => {
      const now = deps.now()
      return summarizeKey(await generateKey(await deps.getVault(), technologies, 'openpgp', request, now), now)
    },
    'keys:backup-start': async ({ id }) => backups.start(await deps.getVault(), id),
    'keys:backup-sheet': async ({ backupId, lang }) => {
      const session = backups.peek(backupId)
      const vault = await deps.getVault()
      const key = summarizeKey(findKey(vault.contents, session.fingerprint), deps.now())
      const suggestedName = recoverySheetFileName(session.fileName, lang)
      const { recoveryCode, fileName: backupFileName } = session
      return saveFile(deps, { suggestedName, kind: 'sheet' }, () =>
        createRecoverySheet({ key, recoveryCode, backupFileName, createdAt: deps.now(), lang }),
      )
    },
    'keys:backup-save': async ({ backupId, recoveryCode }) => {
      const vault = await deps.getVault()
      const { fileName } = backups.peek(backupId)
      // The code is checked and the file made before the dialog opens: a typo never costs a save dialog.
      const { bytes } = await backups.finish(vault, technologies, backupId, recoveryCode)
      return saveFile(deps, { suggestedName: fileName, kind: 'backup' }, async () => bytes)
    },
    'keys:backup-cancel': async ({ backupId }) => (backups.cancel(backupId), {}),
    'keys:csr': async ({ name, email }) => {
      const vault = await deps.getVault()
      const { pem, key } = await createCertificateRequest(vault, { name, email }, deps.now())
      const suggestedName = keyFileName(key, 'csr')
      const saved = await saveFile(deps, { suggestedName, kind: 'public' }, async () => new TextEncoder().encode(pem))
      // Without a saved request the new key waits for nothing: take it out again.
      if (!saved.saved) await deleteKey(vault, key.fingerprint)
      return { ...saved, key: saved.saved ? summarizeKey(key, deps.now()) : null }
    },
    'keys:revocation': async ({ id }) => {
      const { key, bytes } = await revocationCertificate(await deps.getVault(), technologies, id, deps.now())
      return saveFile(deps, { suggestedName: keyFileName(key, 'revocation'), kind: 'revocation' }, async () => bytes)
    },
    'keys:copy-public': async ({ id }) => {
      await deps.writeClipboard(await publicKeyText(await deps.getVault(), technologies, id))
      return { copied: true as const }
    },
    'keys:export-public': async ({ id }) => {
      const { fileName, bytes } = publicKeyFile(await deps.getVault(), technologies, id)
      return saveFile(deps, { suggestedName: fileName, kind: 'public' }, bytes)
    },
    'keys:lookup': async ({ address, take }) => {
      const now = deps.now()
      const into = take ? { vault: await deps.getVault(), technologies } : null
      const found = await discoverKeys(address, deps.wkdFetcher, { now, take: into })
      return { method: found.method, imported: found.imported, keys: found.keys.map((key) => summarizeKey(key, now)) }
    },
    'keys:chain': async ({ id }) => {
      const { contents } = await deps.getVault()
      return { missingIssuer: missingIssuerOf(findKey(contents, id), contents.keys) }
    },
    'keys:share-draft': async ({ id, lang }) => {
      const { key, fileName, bytes } = publicKeyFile(await deps.getVault(), technologies, id)
      // The draft speaks in the first person ("my public key"): only for the user's own keys.
      if (!key.hasSecret) throw new SiegelpostError('DRAFT_ONLY_OWN_KEY', { name: key.name })
      const content = keyShareDraft(key, { fileName, bytes: await bytes() }, lang ?? 'de')
      return { draftId: (await (await deps.getDrafts()).create(content)).id }
    },
  }
}
