import type { StoredKey } from './stored-key.ts'

/**
 * What a key technology (OpenPGP, S/MIME) provides to the technology-neutral key commands.
 * Each lives in its own domain folder (main/core/openpgp, main/core/smime) and is listed once
 * in technologies.ts. Implementations throw SiegelpostError with codes from the error table.
 */
export interface KeyTechnology {
  readonly technology: StoredKey['technology']
  /** Whether the file looks like one of this technology's key or certificate files (content first, name second). */
  detect(file: KeyFile): boolean
  /** Every key or certificate in the file, with its flags; `passphrase` only unlocks this file. */
  /**
   * `existing` are the vault's keys (given on import, not on a preview): a file that only updates
   * one of them (an OpenPGP revocation certificate) returns that key, updated.
   */
  import(
    file: KeyFile,
    options: { passphrase: Uint8Array | null; now: Date; existing?: readonly StoredKey[] },
  ): Promise<StoredKey[]>
  /**
   * Merges a re-imported key into the stored one (same fingerprint). Must never drop secret
   * material or a user's confirmation; without it the key store keeps the richer record.
   */
  merge?(stored: StoredKey, incoming: StoredKey): StoredKey
  /**
   * Whether `incoming` is the same key as `stored` although the fingerprints differ (S/MIME: a
   * certificate arriving for a key generated with `keys csr --new`). `merge` then joins them.
   */
  sameKey?(stored: StoredKey, incoming: StoredKey): boolean
  export(key: StoredKey, request: ExportRequest): Promise<Uint8Array>
  /** A revocation certificate for an own key (OpenPGP); absent where a CA revokes (S/MIME). */
  revocationCertificate?(key: StoredKey, options: { now: Date }): Promise<Uint8Array>
  /** Creates a new key pair (OpenPGP); absent where keys come from a CA (S/MIME uses a CSR). */
  generate?(request: GenerateRequest, options: { now: Date }): Promise<StoredKey>
}

export interface GenerateRequest {
  name: string
  email: string
  algo: 'curve25519' | 'rsa4096'
  /** 0 = does not expire. */
  expiresInYears: number
}

export interface KeyFile {
  bytes: Uint8Array
  /** The file's name (not its path), for extension hints. */
  fileName: string
}

export interface ExportRequest {
  part: 'public' | 'secret'
  /** asc | p12 | pem | der; undefined = the technology's default (OpenPGP asc, X.509 pem). */
  format: string | undefined
  /** Protects a secret backup; required for part 'secret'. */
  passphrase: Uint8Array | null
  /** A .p12 that old Windows can read (3DES/SHA-1 PBE) instead of the modern AES default. */
  compat: boolean
}
