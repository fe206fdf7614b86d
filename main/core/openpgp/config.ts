import { config as libraryDefaults, enums, type Config } from 'openpgp'
import { limits } from '../limits.ts'

/**
 * The one openpgp.js configuration Siegelpost passes to every call. It keeps the library's safe
 * defaults and writes what GnuPG 2.2/2.4 and Thunderbird (RNP) read (library-facts §3.2):
 * v4 keys, SEIPDv1 with MDC, no AEAD/v6 output. It closes what the library leaves open:
 * decompression is bounded (compression bombs), unauthenticated data is never released (EFAIL).
 */
export const openpgpConfig: Config = {
  ...libraryDefaults,
  v6Keys: false,
  aeadProtect: false,
  allowUnauthenticatedMessages: false,
  allowUnauthenticatedStream: false,
  // Read on each call: a measurement may raise the size limits after this module loaded (limits-override.ts).
  get maxDecompressedMessageSize() {
    return limits.openpgpMaxDecompressedBytes
  },
  // SHA-1 message signatures are never valid (DESIGN.md invariant); the library default agrees.
  rejectMessageHashAlgorithms: new Set([enums.hash.md5, enums.hash.ripemd, enums.hash.sha1]),
  preferredHashAlgorithm: enums.hash.sha512,
  preferredSymmetricAlgorithm: enums.symmetric.aes256,
  minRSABits: 2047,
  showVersion: false,
  showComment: false,
}

export const textEncoder = new TextEncoder()
export const textDecoder = new TextDecoder()

/** Passphrases come from files as bytes; openpgp.js wants a string. */
export const passphraseText = (passphrase: Uint8Array): string =>
  new TextDecoder('utf-8', { fatal: false }).decode(passphrase)
