import type { TestIdentity } from './smime-pki.ts'

/** `openssl cms` words that decrypt the DER file `input` as `recipient` (its certificate and key files). */
export const decryptDerArgs = (input: string, recipient: TestIdentity): string[] => [
  '-decrypt',
  '-binary',
  '-inform',
  'DER',
  '-in',
  input,
  '-recip',
  recipient.certFile,
  '-inkey',
  recipient.keyFile,
]

/** `openssl cms` words that verify the DER file `input` as an S/MIME signature (smimesign) against `caFile`. */
export const verifyDerArgs = (input: string, caFile: string): string[] => [
  '-verify',
  '-binary',
  '-purpose',
  'smimesign',
  '-inform',
  'DER',
  '-in',
  input,
  '-CAfile',
  caFile,
]

/**
 * `openssl cms` words that sign the file `input` as `signer` (its certificate and key files) and write DER;
 * `options` go after `-binary` (`-nodetach`, `-stream`, `-md sha1`, `-nocerts` …).
 */
export const signDerArgs = (input: string, signer: TestIdentity, options: string[] = []): string[] => [
  '-sign',
  '-binary',
  ...options,
  '-in',
  input,
  '-signer',
  signer.certFile,
  '-inkey',
  signer.keyFile,
  '-outform',
  'DER',
]
