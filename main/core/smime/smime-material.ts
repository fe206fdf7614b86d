import type { StoredKey } from '../keys/stored-key.ts'

/** What an S/MIME vault entry carries besides the summary. All DER is base64. */
export interface SmimeMaterial {
  certificate: string
  /** Other certificates that came with it (issuers first found in the same file or message). */
  chain: string[]
  /** PKCS#8 PrivateKeyInfo, only for the user's own certificates. */
  privateKey?: string
  /** The user chose this CA certificate as a trust anchor (`certs trust`). */
  trustAnchor: boolean
  subject: string
  issuer: string
  /** A key generated for a certificate request, waiting for its certificate (base64 SPKI). */
  pendingSpki?: string
}

export const fromB64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'))

export function smimeMaterial(key: StoredKey): SmimeMaterial {
  return key.material as unknown as SmimeMaterial
}
