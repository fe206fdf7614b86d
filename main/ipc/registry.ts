import type { AppInfo, KeyFileRequest } from '../../preload/contract.ts'
import { SiegelpostError } from '../core/errors/index.ts'
import { listKeys } from '../core/keys/key-list.ts'
import { basename } from 'node:path'
import { BackupSessions, backupFileName } from '../core/keys/backup.ts'
import { confirmFingerprint, deleteKey, exportKey, findKey, generateKey, importKeyFile, inspectKeyFile, revocationCertificate } from '../core/keys/key-store.ts'
import { createCertificateRequest } from '../core/smime/certificate-store.ts'
import { missingIssuerOf } from '../core/smime/chain-check.ts'
import { createRecoverySheet } from '../core/keys/recovery-sheet.ts'
import { writeFileAtomic } from '../core/store/atomic-file.ts'
import { summarizeKey } from '../core/keys/stored-key.ts'
import type { KeyTechnology } from '../core/keys/technology.ts'
import type { Vault } from '../core/keys/vault.ts'
import type { Handlers } from './dispatch.ts'
import { formatMessage } from '../core/errors/siegelpost-error.ts'
import type { SecretStore } from '../core/keys/secret-store.ts'
import type { PolicySettings } from '../core/policy/policy-settings.ts'
import { addAccountFromInput, summarizeAccount } from '../core/transport/account.ts'
import { checkAccount, type EndpointCheck } from '../core/transport/account-check.ts'
import type { Reason } from '../core/transport/outbox.ts'
import { attempt } from '../core/transport/send.ts'
import { accountStoreOf, outboxEntryView, policyStoreOf, previewPolicy, sendDepsOf, withOutbox, type TransportProfile } from '../core/transport/transport-profile.ts'
import type { DraftStore } from '../core/drafts/draft-store.ts'
import { discoverKeys } from '../core/keys/key-discovery.ts'
import type { WkdFetcher } from '../core/openpgp/wkd.ts'
import { keyShareDraft } from '../core/drafts/key-draft.ts'
import { createMailHandlers, type MailShell } from './mail-handlers.ts'

export interface SaveRequest {
  suggestedName: string
  kind: 'backup' | 'sheet' | 'public' | 'revocation' | 'attachment'
}

export interface RegistryDeps {
  appInfo: AppInfo
  /** Opens the vault on first use (creating it if needed); a failure is retried on the next call. */
  getVault: () => Promise<Vault>
  now: () => Date
  technologies: readonly KeyTechnology[]
  /** Asks the user where to save a file (the OS save dialog in the app); null when they cancel. */
  chooseSavePath: (request: SaveRequest) => Promise<string | null>
  /** Writes text to the OS clipboard (Electron's clipboard in the app). */
  writeClipboard: (text: string) => Promise<void>
  /** Accounts, Outbox and policy: the profile folder, the OS keychain for account passwords, who we are for the Outbox. */
  transport: {
    profileDir: string
    keychain: () => Promise<SecretStore>
    owner: string
    /** A test DNS server for the recipient-domain check (loopback); the system resolver otherwise. */
    dnsServer?: string | undefined
  }
  /** The profile's mail drafts (sealed under the vault's drafts key). */
  getDrafts: () => Promise<DraftStore>
  /** HTTPS to Web Key Directories (the app's DNS and network guard; tests bring a loopback one). */
  wkdFetcher: WkdFetcher
  /** The read view's shell (open dialog for .eml files, opening saved attachments); without it both are unavailable. */
  mailShell?: MailShell
}

/** A reason from the error table, in both languages (the UI picks one). */
const reasonView = (reason: Reason | null) =>
  reason === null ? null : { code: reason.code, message: { de: formatMessage(reason.code, 'de', reason.params), en: formatMessage(reason.code, 'en', reason.params) } }

const checkView = (check: EndpointCheck) => (check.ok ? { ok: true, tls: check.tls, reason: null } : { ok: false, tls: null, reason: reasonView(check.reason) })

/** The settings without the file format number. */
const policyView = ({ format: _format, ...settings }: PolicySettings) => settings

/** Writes a file the user asked for; private material (backups, the sheet with its code) only for the user. */
async function saveFile(deps: RegistryDeps, request: SaveRequest, bytes: () => Promise<Uint8Array>) {
  const path = await deps.chooseSavePath(request)
  if (path === null) return { saved: false, fileName: request.suggestedName }
  await writeFileAtomic(path, await bytes(), {}, { backup: false, mode: request.kind === 'public' ? 0o644 : 0o600 })
  return { saved: true, fileName: basename(path) }
}

/** The public key or certificate as a file for passing on: its suggested name and bytes. */
async function publicKeyFile(deps: RegistryDeps, vault: Vault, id: string) {
  const key = findKey(vault.contents, id)
  const fileName = backupFileName(key).replace(/^sicherung-/, 'oeffentlicher-schluessel-').replace(/\.p12$/, '.pem')
  return { key, fileName, bytes: () => exportKey(vault, deps.technologies, key.fingerprint, { part: 'public', format: undefined, passphrase: null, compat: false }) }
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

/** Without a desktop shell: no open dialog (as if cancelled), and nothing is opened. */
const noMailShell: MailShell = {
  chooseMessageFile: async () => null,
  openPath: async () => {
    throw new SiegelpostError('READING_NOT_SAVED')
  },
}

/** The handler registry: one plain async function per contract channel, built from the core. */
export function createHandlers(deps: RegistryDeps): Handlers {
  const backups = new BackupSessions(deps.now)
  const profile = async (): Promise<TransportProfile> => ({ ...deps.transport, vault: await deps.getVault(), now: deps.now })
  return {
    'app:info': async () => deps.appInfo,
    'keys:list': async () => listKeys(await deps.getVault(), deps.now()),
    'keys:inspect': (request) =>
      withPastedWording(request, async () => {
        const { file, passphrase } = keyFile(request)
        const now = deps.now()
        const stored = (await deps.getVault()).contents.keys
        const known = new Set(stored.map((key) => `${key.technology}:${key.fingerprint}`))
        const keys = await inspectKeyFile(deps.technologies, file, { passphrase, now })
        return keys.map((key) => ({
          ...summarizeKey(key, now),
          isNew: !known.has(`${key.technology}:${key.fingerprint}`),
          missingIssuer: missingIssuerOf(key, [...keys, ...stored]),
        }))
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
    'keys:generate': async (request) => {
      const now = deps.now()
      return summarizeKey(await generateKey(await deps.getVault(), deps.technologies, 'openpgp', request, now), now)
    },
    'keys:backup-start': async ({ id }) => backups.start(await deps.getVault(), id),
    'keys:backup-sheet': async ({ backupId, lang }) => {
      const session = backups.peek(backupId)
      const vault = await deps.getVault()
      const key = summarizeKey(findKey(vault.contents, session.fingerprint), deps.now())
      const suggestedName = session.fileName.replace(/\.[a-z0-9]+$/, lang === 'de' ? '-wiederherstellungsbeleg.pdf' : '-recovery-sheet.pdf')
      return saveFile(deps, { suggestedName, kind: 'sheet' }, () =>
        createRecoverySheet({ key, recoveryCode: session.recoveryCode, backupFileName: session.fileName, createdAt: deps.now(), lang }),
      )
    },
    'keys:backup-save': async ({ backupId, recoveryCode }) => {
      const vault = await deps.getVault()
      const { fileName } = backups.peek(backupId)
      // The code is checked and the file made before the dialog opens: a typo never costs a save dialog.
      const { bytes } = await backups.finish(vault, deps.technologies, backupId, recoveryCode)
      return saveFile(deps, { suggestedName: fileName, kind: 'backup' }, async () => bytes)
    },
    'keys:backup-cancel': async ({ backupId }) => (backups.cancel(backupId), {}),
    'keys:csr': async ({ name, email }) => {
      const vault = await deps.getVault()
      const { pem, key } = await createCertificateRequest(vault, { name, email }, deps.now())
      const suggestedName = backupFileName(key).replace(/^sicherung-/, 'zertifikatsantrag-').replace(/\.p12$/, '.csr')
      const saved = await saveFile(deps, { suggestedName, kind: 'public' }, async () => new TextEncoder().encode(pem))
      // Without a saved request the new key waits for nothing: take it out again.
      if (!saved.saved) await deleteKey(vault, key.fingerprint)
      return { ...saved, key: saved.saved ? summarizeKey(key, deps.now()) : null }
    },
    'keys:revocation': async ({ id }) => {
      const { key, bytes } = await revocationCertificate(await deps.getVault(), deps.technologies, id, deps.now())
      const suggestedName = backupFileName(key).replace(/^sicherung-/, 'widerruf-')
      return saveFile(deps, { suggestedName, kind: 'revocation' }, async () => bytes)
    },
    'keys:copy-public': async ({ id }) => {
      const vault = await deps.getVault()
      const key = findKey(vault.contents, id)
      // Text forms only: armored OpenPGP, PEM for certificates.
      const format = key.technology === 'smime' ? 'pem' : undefined
      const bytes = await exportKey(vault, deps.technologies, key.fingerprint, { part: 'public', format, passphrase: null, compat: false })
      await deps.writeClipboard(new TextDecoder().decode(bytes))
      return { copied: true as const }
    },
    'keys:export-public': async ({ id }) => {
      const { fileName, bytes } = await publicKeyFile(deps, await deps.getVault(), id)
      return saveFile(deps, { suggestedName: fileName, kind: 'public' }, bytes)
    },
    'vault:status': async () => (await deps.getVault()).info(),
    // --- accounts, outbox, policy (Zwangs-TLS) ---
    'accounts:list': async () => (await accountStoreOf(await profile()).list()).map(summarizeAccount),
    'accounts:add': async ({ password, ...input }) => summarizeAccount(await addAccountFromInput(accountStoreOf(await profile()), input, password, deps.now())),
    'accounts:remove': async ({ name }) => ({ name: (await accountStoreOf(await profile()).remove(name)).name }),
    'accounts:test': async ({ name }) => {
      const store = accountStoreOf(await profile())
      const account = await store.get(name)
      const check = await checkAccount(account, await store.password(account))
      return { account: check.account, smtp: { ...checkView(check.smtp), requiretls: check.smtp.ok ? (check.smtp.requiretls ?? null) : null }, imap: checkView(check.imap) }
    },
    'outbox:list': async () =>
      withOutbox(await profile(), async (outbox) => outbox.list().map((entry) => {
        const view = outboxEntryView(entry)
        return { ...view, reason: reasonView(view.reason) }
      })),
    'outbox:retry': async ({ outboxId }) => {
      const p = await profile()
      return withOutbox(p, async (outbox) => {
        const outcome = await attempt(sendDepsOf(p, outbox), outboxId)
        return { outboxId: outcome.outboxId, state: outcome.state, reason: reasonView(outcome.reason), tls: outcome.tls, sentCopy: outcome.append }
      })
    },
    'outbox:drop': async ({ outboxId }) => withOutbox(await profile(), async (outbox) => (outbox.drop(outboxId), { outboxId })),
    'policy:show': async () => policyView(await policyStoreOf(await profile()).load()),
    'policy:set-requiretls': async ({ value }) => policyView(await policyStoreOf(await profile()).setRequireTls(value)),
    'policy:rule': async ({ target, require, by, note }) =>
      policyView(await policyStoreOf(await profile()).addRule({ target, require, by: by ?? null, note: note ?? null }, deps.now())),
    'policy:tls-exception': async ({ target, reason, by, expires }) =>
      policyView(await policyStoreOf(await profile()).addTlsException({ target, reason, by, expires: expires ?? null }, deps.now())),
    'policy:consent': async ({ address, channel, by, note }) =>
      policyView(await policyStoreOf(await profile()).addConsent({ address, channel, by, note: note ?? null }, deps.now())),
    'policy:decide': async ({ account, recipients, isEndToEnd }) => {
      const decision = await previewPolicy(await profile(), { account: account ?? null, recipients, isEndToEnd })
      return {
        decision: decision.decision,
        held: reasonView(decision.held),
        recipients: decision.recipients.map((r) => ({ ...r, reasons: r.reasons.map((reason) => reasonView(reason)!) })),
      }
    },
    'keys:lookup': async ({ address, take }) => {
      const now = deps.now()
      const found = await discoverKeys(address, deps.wkdFetcher, { now, take: take ? { vault: await deps.getVault(), technologies: deps.technologies } : null })
      return { method: found.method, imported: found.imported, keys: found.keys.map((key) => summarizeKey(key, now)) }
    },
    // --- key manager: chains and sharing (issue 6) ---
    'keys:chain': async ({ id }) => {
      const { contents } = await deps.getVault()
      return { missingIssuer: missingIssuerOf(findKey(contents, id), contents.keys) }
    },
    'keys:share-draft': async ({ id, lang }) => {
      const { key, fileName, bytes } = await publicKeyFile(deps, await deps.getVault(), id)
      // The draft speaks in the first person ("my public key"): only for the user's own keys.
      if (!key.hasSecret) throw new SiegelpostError('DRAFT_ONLY_OWN_KEY', { name: key.name })
      const draft = await (await deps.getDrafts()).create(keyShareDraft(key, { fileName, bytes: await bytes() }, lang ?? 'de'))
      return { draftId: draft.id }
    },
    'drafts:list': async () =>
      (await (await deps.getDrafts()).list()).map(({ id, createdAt, to, subject, body, attachments }) => ({
        id,
        createdAt,
        to,
        subject,
        body,
        attachments: attachments.map((a) => ({ fileName: a.fileName, contentType: a.contentType, size: Buffer.from(a.data, 'base64').length })),
      })),
    ...createMailHandlers({ getVault: deps.getVault, now: deps.now, profile, chooseSavePath: deps.chooseSavePath, shell: deps.mailShell ?? noMailShell }),
  }
}

/**
 * Opens once, shares the open vault, and forgets a failed attempt so the user can fix and retry.
 * Every use first picks up changes another process (the CLI) made to the file.
 */
export function lazyVault(open: () => Promise<Vault>): () => Promise<Vault> {
  let pending: Promise<Vault> | null = null
  return async () => {
    pending ??= open().catch((error: unknown) => {
      pending = null
      throw error
    })
    const vault = await pending
    await vault.refresh()
    return vault
  }
}
