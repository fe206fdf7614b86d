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
  // transport
  /** Largest message `send` accepts (100 MB of attachments grow by a third in base64). */
  messageMaxBytes: 160 * 1024 * 1024,
  /** TCP connect, greeting and TLS handshake with the submission or IMAP server. */
  mailConnectTimeoutMs: 20_000,
  /** Silence on an established SMTP/IMAP connection before we give up. */
  mailSocketTimeoutMs: 120_000,
  /** Messages one `fetch` stores at most (the newest ones); more is a later run. */
  fetchMaxMessages: 500,
  /** Largest single message `fetch` stores; bigger ones are listed as skipped, never truncated. */
  fetchMessageMaxBytes: 160 * 1024 * 1024,
} as const
