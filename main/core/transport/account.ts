import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { SiegelpostError } from '../errors/index.ts'
import { keychainService, type SecretStore } from '../keys/secret-store.ts'
import type { Vault } from '../keys/vault.ts'
import { openJson, sealJson } from '../store/sealed-blob.ts'
import { writeFileAtomic } from '../store/atomic-file.ts'
import {
  AccountSchema,
  SecuritySchema,
  type Account,
  type AccountSummary,
  type Endpoint,
  type Security,
} from './account-schema.ts'

// The account's data: account-schema.ts; callers name the types by this file.
export type { Account, AccountSummary, Endpoint, Security } from './account-schema.ts'

const AccountsFileSchema = z.object({ format: z.literal(1), accounts: z.array(AccountSchema) })
export const accountsFileName = 'accounts.sgpa'
const context = 'siegelpost/accounts/v1'

export function mailKeychainAccount(profileDir: string, name: string): string {
  return `mail:${profileDir}:${name}`
}

/** `HOST:PORT` (IPv6 in brackets); default security per CLI.md: starttls for 587 and 143, tls otherwise. */
export function parseEndpoint(value: string, option: string, security?: string): Endpoint {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]/]+)):(\d{1,5})$/.exec(value)
  const port = match ? Number(match[3]) : NaN
  if (!match || !(port >= 1 && port <= 65535)) throw new SiegelpostError('ACCOUNT_BAD_ENDPOINT', { value, option })
  const chosen = security ?? defaultSecurity(port)
  const parsed = SecuritySchema.safeParse(chosen)
  if (!parsed.success) {
    throw new SiegelpostError('USAGE_BAD_VALUE', {
      option: `${option}-security`,
      value: chosen,
      allowed: 'tls, starttls',
    })
  }
  return { host: (match[1] ?? match[2])!, port, security: parsed.data }
}

const defaultSecurity = (port: number): Security => (port === 587 || port === 143 ? 'starttls' : 'tls')

/** The same endpoint from separate fields (the app's account form): host and port checked as `parseEndpoint` does. */
export function endpointOf(
  input: { host: string; port: number; security?: Security | undefined },
  option: string,
): Endpoint {
  const host = input.host.includes(':') && !input.host.startsWith('[') ? `[${input.host}]` : input.host
  return parseEndpoint(`${host}:${input.port}`, option, input.security ?? defaultSecurity(input.port))
}

/** What the app's account form sends: the CA as PEM text, the pin as typed. */
export interface AccountInput {
  name: string
  email: string
  user: string
  smtp: { host: string; port: number; security?: Security | undefined }
  imap: { host: string; port: number; security?: Security | undefined }
  ca?: string | undefined
  pin?: string | undefined
}

/** `accounts:add`: checks every field like `accounts add` does, then stores (never connects). */
export async function addAccountFromInput(
  store: AccountStore,
  input: AccountInput,
  password: string,
  now: Date,
): Promise<Account> {
  const smtp = endpointOf(input.smtp, 'smtp')
  const imap = endpointOf(input.imap, 'imap')
  const ca = input.ca === undefined ? null : await readCaFile('CA', Buffer.from(input.ca, 'utf8'))
  const pin = input.pin === undefined ? null : normalizePin(input.pin)
  return store.add({ name: input.name, email: input.email, user: input.user, smtp, imap, ca, pin }, password, now)
}

export function normalizePin(value: string): string {
  const hex = value.replace(/:/g, '').toLowerCase()
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new SiegelpostError('ACCOUNT_BAD_PIN', { value })
  return hex
}

export async function readCaFile(path: string, bytes: Buffer): Promise<string> {
  const pems = bytes.toString('utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  try {
    if (pems.length === 0) throw new Error('no PEM')
    for (const pem of pems) new X509Certificate(pem)
  } catch {
    throw new SiegelpostError('ACCOUNT_BAD_CA', { path })
  }
  return `${pems.join('\n')}\n`
}

export interface AccountStoreOptions {
  profileDir: string
  vault: Vault
  /** Needed in keychain mode only; opened lazily. */
  keychain: () => Promise<SecretStore>
}

/** The accounts file of a profile: sealed JSON, written atomically. Passwords by reference (keychain) or sealed inside. */
export class AccountStore {
  private readonly path: string
  private readonly key: Buffer
  private readonly options: AccountStoreOptions
  constructor(options: AccountStoreOptions) {
    this.options = options
    this.path = join(options.profileDir, accountsFileName)
    this.key = options.vault.deriveKey('accounts')
  }

  async list(): Promise<Account[]> {
    let bytes: Buffer
    try {
      bytes = await readFile(this.path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw new SiegelpostError('FILE_UNREADABLE', {
        path: this.path,
        reason: (error as NodeJS.ErrnoException).code ?? 'I/O',
      })
    }
    const parsed = AccountsFileSchema.safeParse(openJson(this.key, bytes, context))
    if (!parsed.success) throw new SiegelpostError('ACCOUNT_DAMAGED', { path: this.path })
    return parsed.data.accounts
  }

  async get(name: string): Promise<Account> {
    const account = (await this.list()).find((a) => a.name === name)
    if (!account) throw new SiegelpostError('ACCOUNT_NOT_FOUND', { name })
    return account
  }

  async add(input: Omit<Account, 'password' | 'created'>, password: string, now: Date): Promise<Account> {
    const accounts = await this.list()
    if (accounts.some((a) => a.name === input.name)) throw new SiegelpostError('ACCOUNT_EXISTS', { name: input.name })
    let reference: Account['password']
    if (this.options.vault.mode === 'keychain') {
      const account = mailKeychainAccount(this.options.profileDir, input.name)
      await (await this.options.keychain()).set(keychainService, account, password)
      reference = { store: 'keychain', account }
    } else {
      reference = { store: 'sealed', value: password }
    }
    const account = AccountSchema.parse({ ...input, password: reference, created: now.toISOString() })
    await this.save([...accounts, account])
    return account
  }

  /**
   * Forgets an account: the accounts file first (so a failure changes nothing), then its keychain entry.
   * Outbox entries of the account stay (nothing is lost); trying them again names the missing account.
   */
  async remove(name: string): Promise<Account> {
    const accounts = await this.list()
    const account = accounts.find((a) => a.name === name)
    if (!account) throw new SiegelpostError('ACCOUNT_NOT_FOUND', { name })
    await this.save(accounts.filter((a) => a !== account))
    if (account.password.store === 'keychain')
      await (await this.options.keychain()).delete(keychainService, account.password.account)
    return account
  }

  async password(account: Account): Promise<string> {
    if (account.password.store === 'sealed') return account.password.value
    const secret = await (await this.options.keychain()).get(keychainService, account.password.account)
    if (secret === null) throw new SiegelpostError('ACCOUNT_PASSWORD_MISSING', { name: account.name })
    return secret
  }

  private async save(accounts: Account[]): Promise<void> {
    await writeFileAtomic(this.path, sealJson(this.key, { format: 1, accounts }, context))
  }
}

export function summarizeAccount(account: Account): AccountSummary {
  const { password: _password, ca, ...rest } = account
  return { ...rest, hasCa: ca !== null }
}
