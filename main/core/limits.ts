/**
 * Every size, count, time and cost limit Siegelpost enforces lives here, including the ones a
 * library leaves open. Over a limit is an error with a reason, never a silent truncation.
 */
export const limits = {
  /** Largest vault file we read (keys and certificates only; a few MiB even for large offices). */
  vaultFileMaxBytes: 32 * 1024 * 1024,
  /** Largest key or certificate file we import (a .p12 with a long chain is well under 1 MiB). */
  keyFileMaxBytes: 16 * 1024 * 1024,
  /** Passphrase and password files are small text files; anything bigger is the wrong file. */
  secretFileMaxBytes: 64 * 1024,
  /**
   * scrypt cost for the explicit passphrase mode (RFC 7914). log2(N)=17, r=8 needs 128 MiB and
   * about half a second here: deliberate, the vault is opened once per session.
   */
  vaultScrypt: { logN: 17, r: 8, p: 1 },
  /** A vault header may ask for more (a future default), never for more than this (DoS guard). */
  vaultScryptMaxLogN: 20,
  vaultScryptMaxMemBytes: 1024 * 1024 * 1024 + 64 * 1024 * 1024,
  /** How long we wait for the OS keychain (an unlock prompt may be open on the desktop). */
  keychainTimeoutMs: 60_000,
  /** Largest JSON payload accepted over IPC from the renderer (ids, settings, short texts). */
  ipcPayloadMaxBytes: 1024 * 1024,
  // smime
  /**
   * asn1js 4 parses at most 16 MiB and 10,000 nodes by default (library-facts §10), which fails
   * on any message with a large attachment. Explicit bounds: a whole CMS message up to the
   * largest mail we accept, a node count that fits a long certificate chain plus CRLs, and a
   * nesting depth far above real CMS (about 12) but low enough to stop recursion bombs.
   */
  smimeBerMaxContentBytes: 256 * 1024 * 1024,
  smimeBerMaxNodes: 200_000,
  smimeBerMaxDepth: 64,
  /** PKCS#12 iteration counts above this are a DoS, not a protection (real files: 1–600,000). */
  p12MaxIterations: 10_000_000,
  /** PBKDF2-SHA-256 iterations for a modern .p12 backup (OpenSSL 3 writes 2,048; OWASP 2023 says 600,000). */
  p12ExportIterations: 600_000,
  /** The compatible (3DES, SHA-1 MAC) .p12 uses what old Windows itself writes. */
  p12CompatIterations: 2048,
  /** MAC iterations (integrity only; the key is protected by PBKDF2 above), as OpenSSL writes. */
  p12MacIterations: 2048,
  /** How many certificates a path may have (anchor excluded): deeper is a loop or an attack. */
  certPathMaxLength: 16,
  /** CLI.md: lookups outside the configured servers (CRL/OCSP) give up after 3 s and yield "unknown". */
  revocationFetchTimeoutMs: 3000,
  /** CRLs fetched per signature check, and the largest we accept (a big CA's CRL is a few MiB). */
  revocationMaxFetches: 8,
  crlMaxBytes: 16 * 1024 * 1024,
} as const
