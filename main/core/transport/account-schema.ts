import { z } from 'zod'

/**
 * Mail accounts. Only two security modes exist — implicit TLS or STARTTLS-required — and there is
 * deliberately no plaintext mode and no "accept any certificate" switch (DESIGN.md, Zwangs-TLS).
 * Plain schemas, no Node imports: account.ts stores them and preload/contract.ts composes them.
 */
export const SecuritySchema = z.enum(['tls', 'starttls'])
export type Security = z.infer<typeof SecuritySchema>

export const EndpointSchema = z.object({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  security: SecuritySchema,
})
export type Endpoint = z.infer<typeof EndpointSchema>

const PasswordSchema = z.discriminatedUnion('store', [
  /** In the OS keychain: service `Siegelpost`, account `mail:<absolute profile path>:<NAME>`. */
  z.object({ store: z.literal('keychain'), account: z.string() }),
  /** Passphrase-mode vaults have no keychain: the password sits in this file, sealed under a vault-derived key. */
  z.object({ store: z.literal('sealed'), value: z.string() }),
])

export const AccountSchema = z.object({
  name: z.string().min(1).max(100),
  email: z.string().min(3).max(320),
  user: z.string().min(1).max(320),
  smtp: EndpointSchema,
  imap: EndpointSchema,
  /** Extra trust anchor(s) in PEM for a self-hosted server, in addition to the system roots. */
  ca: z.string().nullable(),
  /** SHA-256 of the server's leaf certificate (DER), lower-case hex: checked in addition to the chain. */
  pin: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  password: PasswordSchema,
  created: z.string(),
})
export type Account = z.infer<typeof AccountSchema>

/** An account as the UI sees it: never the password, never where it is kept. */
export const AccountSummarySchema = AccountSchema.omit({ password: true, ca: true }).extend({ hasCa: z.boolean() })
export type AccountSummary = z.infer<typeof AccountSummarySchema>
