import { z } from 'zod'

/**
 * What a mail server's TLS handshake gave: version, cipher and the leaf certificate (subject, issuer,
 * SHA-256 fingerprint, end of validity). Plain schema, no Node imports: preload/contract.ts composes it.
 */
export const TlsInfoSchema = z.object({
  version: z.string(),
  cipher: z.string(),
  subject: z.string(),
  issuer: z.string(),
  fingerprint: z.string(),
  validTo: z.string(),
})
export type TlsInfo = z.infer<typeof TlsInfoSchema>
