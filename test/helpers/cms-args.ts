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
