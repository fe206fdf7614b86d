import { createCipheriv, createDecipheriv, hkdfSync, scrypt, timingSafeEqual } from 'node:crypto'
import { limits } from '../limits.ts'

/**
 * The vault file: a fixed header (authenticated as AAD) followed by AES-256-GCM ciphertext and tag.
 *
 *   0  4  magic "SGPV"          26 16 key check (HKDF of the master key; tells "wrong key" from "damaged")
 *   4  1  format version (1)    42 12 GCM nonce (random per write)
 *   5  1  mode: 1 keychain, 2 passphrase
 *   6  1  kdf: 0 none, 1 scrypt 54  .. ciphertext, then the 16-byte GCM tag
 *   7  3  scrypt log2(N), r, p
 *  10 16  scrypt salt (zero in keychain mode)
 *
 * The master key is the keychain's random 256-bit key or the scrypt output; the file key and
 * the key check are HKDF-SHA256 subkeys of it, so each purpose has its own key.
 */
export const vaultFormatVersion = 1
const magic = Buffer.from('SGPV', 'ascii')
export const headerLength = 54
const tagLength = 16

export type VaultMode = 'keychain' | 'passphrase'
export interface ScryptParams {
  logN: number
  r: number
  p: number
  salt: Buffer
}
export interface VaultHeader {
  mode: VaultMode
  scrypt: ScryptParams | null
  keyCheck: Buffer
  nonce: Buffer
}

/** Why a file is not a readable vault; the caller turns it into the user's error with paths. */
export class VaultFormatError extends Error {
  readonly problem: 'damaged' | 'newer-format'
  readonly detail: string

  constructor(problem: 'damaged' | 'newer-format', detail: string) {
    super(detail)
    this.problem = problem
    this.detail = detail
  }
}

export function encodeHeader(header: VaultHeader): Buffer {
  const out = Buffer.alloc(headerLength)
  magic.copy(out, 0)
  out[4] = vaultFormatVersion
  out[5] = header.mode === 'keychain' ? 1 : 2
  if (header.scrypt) {
    out[6] = 1
    out[7] = header.scrypt.logN
    out[8] = header.scrypt.r
    out[9] = header.scrypt.p
    header.scrypt.salt.copy(out, 10)
  }
  header.keyCheck.copy(out, 26)
  header.nonce.copy(out, 42)
  return out
}

export function decodeHeader(file: Buffer): VaultHeader {
  if (file.length < headerLength + tagLength) throw new VaultFormatError('damaged', 'file too short')
  if (!file.subarray(0, 4).equals(magic)) throw new VaultFormatError('damaged', 'not a Siegelpost vault')
  const version = file[4]!
  if (version > vaultFormatVersion) throw new VaultFormatError('newer-format', `format ${version}`)
  if (version !== vaultFormatVersion) throw new VaultFormatError('damaged', `unknown format ${version}`)
  const modeByte = file[5]
  const kdf = file[6]
  let mode: VaultMode
  let scryptParams: ScryptParams | null = null
  if (modeByte === 1 && kdf === 0) mode = 'keychain'
  else if (modeByte === 2 && kdf === 1) {
    mode = 'passphrase'
    const [logN, r, p] = [file[7]!, file[8]!, file[9]!]
    if (logN < 14 || logN > limits.vaultScryptMaxLogN || r < 1 || r > 32 || p < 1 || p > 16) {
      throw new VaultFormatError('damaged', 'scrypt parameters out of range')
    }
    scryptParams = { logN, r, p, salt: Buffer.from(file.subarray(10, 26)) }
  } else throw new VaultFormatError('damaged', 'unknown protection mode')
  return {
    mode,
    scrypt: scryptParams,
    keyCheck: Buffer.from(file.subarray(26, 42)),
    nonce: Buffer.from(file.subarray(42, 54)),
  }
}

function subkey(master: Buffer, purpose: string, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `siegelpost/${purpose}`, length))
}

export function deriveSubkey(master: Buffer, purpose: string): Buffer {
  return subkey(master, purpose, 32)
}

export function keyCheckOf(master: Buffer): Buffer {
  return subkey(master, 'vault-key-check/v1', 16)
}

export function isKeyCheckMatch(master: Buffer, header: VaultHeader): boolean {
  return timingSafeEqual(keyCheckOf(master), header.keyCheck)
}

export function masterKeyFromPassphrase(passphrase: Uint8Array, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.logN
  return new Promise((resolve, reject) => {
    scrypt(
      passphrase,
      params.salt,
      32,
      { N, r: params.r, p: params.p, maxmem: limits.vaultScryptMaxMemBytes },
      (error, key) => (error ? reject(error) : resolve(key)),
    )
  })
}

export function seal(master: Buffer, header: VaultHeader, plaintext: Buffer): Buffer {
  const head = encodeHeader(header)
  const cipher = createCipheriv('aes-256-gcm', deriveSubkey(master, 'vault-file/v1'), header.nonce)
  cipher.setAAD(head)
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([head, body, cipher.getAuthTag()])
}

/** Returns null when the tag does not verify (damaged or truncated), never partial plaintext. */
export function open(master: Buffer, header: VaultHeader, file: Buffer): Buffer | null {
  const decipher = createDecipheriv('aes-256-gcm', deriveSubkey(master, 'vault-file/v1'), header.nonce)
  decipher.setAAD(file.subarray(0, headerLength))
  decipher.setAuthTag(file.subarray(file.length - tagLength))
  try {
    return Buffer.concat([decipher.update(file.subarray(headerLength, file.length - tagLength)), decipher.final()])
  } catch {
    return null
  }
}
