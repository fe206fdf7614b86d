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
  /** Largest JSON payload accepted over IPC from the renderer: a key file (base64) is the biggest thing sent. */
  ipcPayloadMaxBytes: 24 * 1024 * 1024,
  /** How long a started backup waits for its recovery code to be typed back. */
  backupSessionMs: 30 * 60_000,
  /** Passphrases typed into the UI. */
  passphraseMaxChars: 1024,
  // openpgp + mime + message
  /** Largest .eml we open or compose into (100 MB attachments, base64 and armor included). */
  messageMaxBytes: 200 * 1024 * 1024,
  /** MIME nesting deeper than this is refused (real mail nests < 10; attackers nest 1000+). */
  mimeMaxDepth: 32,
  /** More MIME parts than this is refused (a DoS guard, far above real mail). */
  mimeMaxParts: 1000,
  /** openpgp.js leaves decompression unbounded (library-facts §3.1): a compression bomb stops here. */
  openpgpMaxDecompressedBytes: 256 * 1024 * 1024,
  /** Signatures up to this far in the future of our clock still count (the sender's clock may run ahead). */
  /**
   * A signature time further than this from the Date header is the `date-gap` warning (CLI.md). The
   * sender's client writes both when it sends (drafts are signed at sending, not when saved), so an
   * honest gap is seconds (signing a 100 MB attachment takes minutes at most); one hour is far
   * above that, while an old signed body replayed under a new date (hours or days; Thunderbird
   * already marks six hours bad) is pointed out. Only a warning: validity is judged
   * at the signature time either way.
   */
  signatureDateGapMs: 60 * 60 * 1000,
  signatureClockSkewMs: 10 * 60 * 1000,
  // password container (the AES-256 PDF for recipients without keys)
  /** Largest sum of enclosed files in one container: qpdf as WebAssembly holds the PDF in memory twice. */
  containerMaxAttachmentBytes: 100 * 1024 * 1024,
  /** Enclosed PDFs are also appended as pages while the container stays under this size (else "attachment only"). */
  containerAppendPagesMaxBytes: 40 * 1024 * 1024,
  /** Largest container file `container open` reads. */
  containerMaxFileBytes: 220 * 1024 * 1024,
  /** A generated password: groups of four characters; 6 groups are 118 bits. */
  containerPasswordGroups: 6,
  /** A client's standing password: at least this many characters and this estimated strength. */
  containerStandingPasswordMinChars: 12,
  containerStandingPasswordMinBits: 60,
  /** A copied container password is taken off the clipboard after this long (the composer says so). */
  containerPasswordClipboardMs: 30_000,
  /** Generated passwords main keeps after a send, until shown and printed (each one is forgotten when done). */
  containerPasswordsKeptMax: 50,
  /** Web Key Directory lookups end within this time and yield "not found" (CLI.md). */
  wkdTimeoutMs: 3_000,
  /** Largest attachment compose accepts (the product promise is 100 MB files). */
  attachmentMaxBytes: 150 * 1024 * 1024,
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
  /**
   * The RFC 7292 App. B key derivation (MAC keys, legacy 3DES/RC2 files) runs hash by hash in JS, not
   * in OpenSSL like PBKDF2: 10,000,000 rounds held the main thread for over a minute. Real files use
   * 2,048 (OpenSSL), 2,000 (Windows), 10,000 (Java) up to 600,000 (`openssl pkcs12 -iter 600000`).
   */
  p12KdfMaxIterations: 1_000_000,
  /** PBKDF2-SHA-256 iterations for a modern .p12 backup (OpenSSL 3 writes 2,048; OWASP 2023 says 600,000). */
  p12ExportIterations: 600_000,
  /** The compatible (3DES, SHA-1 MAC) .p12 uses what old Windows itself writes. */
  p12CompatIterations: 2048,
  /** MAC iterations (integrity only; the key is protected by PBKDF2 above), as OpenSSL writes. */
  p12MacIterations: 2048,
  /** How many certificates a path may have (anchor excluded): deeper is a loop or an attack. */
  certPathMaxLength: 16,
  // transport
  /** TCP connect, greeting and TLS handshake with the submission or IMAP server. */
  mailConnectTimeoutMs: 20_000,
  /** Silence on an established SMTP/IMAP connection before we give up. */
  mailSocketTimeoutMs: 120_000,
  /** Largest single message `fetch` stores; bigger ones are listed as skipped, never truncated. */
  fetchMessageMaxBytes: 200 * 1024 * 1024,
  // mailbox (the synced local store)
  /** Messages up to this size are one sealed SQLite value; larger ones a chunked sealed file beside the store. */
  mailStoreInlineMaxBytes: 2 * 1024 * 1024,
  /**
   * Messages up to this size are sealed together with their envelope row (one seal per message); a listing that
   * opens rows one by one decrypts these bytes too, so the bound stays small.
   */
  mailStoreRowRawMaxBytes: 8 * 1024,
  /**
   * SQLite page size of a message store created now (older files keep theirs): a row with a small message fits in one
   * page, and a sync's commits and checkpoint write a quarter as many pages as with 4 KiB.
   */
  mailStorePageBytes: 16 * 1024,
  /** Plaintext bytes per sealed record of a stored large message. */
  mailStoreChunkBytes: 1024 * 1024,
  /** Plaintext bytes per sealed record of an Outbox message file (one record is what sending holds at a time). */
  outboxChunkBytes: 1024 * 1024,
  /** New messages stored per SQLite transaction during a sync (a kill loses at most this many, fetched again next time). */
  mailSyncBatchMessages: 250,
  /** …or this many bytes, whichever comes first. */
  mailSyncBatchBytes: 16 * 1024 * 1024,
  /** Parts of a FETCH command's UID set, each one UID or a run like 9:12 (keeps command lines short on sparse sets). */
  mailSyncFetchSetParts: 2000,
  /** New messages from which a sync stores on a worker thread (below, starting the thread costs more than it saves). */
  mailSyncWriterMinMessages: 400,
  /** Messages per hand-over to the store's worker thread… */
  mailSyncWriterChunkMessages: 256,
  /** …or this many bytes, whichever comes first. */
  mailSyncWriterChunkBytes: 1024 * 1024,
  /** Bytes handed over and not yet stored before the FETCH waits for the worker thread. */
  mailSyncWriterQueueBytes: 32 * 1024 * 1024,
  /** Most messages per commit of the worker thread (its batches grow from `mailSyncBatchMessages` to this). */
  mailSyncWriterBatchMessages: 2000,
  /** The worker thread's SQLite page cache (KiB): a batch of `mailSyncBatchBytes` stays in memory until its commit. */
  mailSyncWriterCacheKiB: 32 * 1024,
  /** WAL bytes after which the worker thread's connection copies the WAL into the database file (in pages of the file). */
  mailSyncWriterCheckpointBytes: 64 * 1024 * 1024,
  /**
   * How long a write of the message store (a mark waiting for the server, a flag or move after the server took it, a
   * sync's batch) waits for the store's write lock before it yields to the event loop (store/busy.ts)…
   */
  storeBusyWaitMs: 50,
  /** …the first pause before it tries again (doubled each time up to `storeBusyRetryMaxPauseMs`)… */
  storeBusyRetryPauseMs: 50,
  storeBusyRetryMaxPauseMs: 1_000,
  /** …and how long it keeps trying before it is STORE_BUSY. */
  storeBusyRetryMs: 10_000,
  /** How often `watch` polls (NOOP) a folder on a server without IDLE. */
  mailWatchPollMs: 30_000,
  /** How often the watch session checks the account's other synced folders with STATUS (between IDLE periods). */
  mailWatchStatusMs: 60_000,
  /** How long `watch` idles before it renews IDLE (RFC 2177: clients re-issue IDLE at least every 29 minutes). */
  mailWatchIdleMs: 25 * 60_000,
  /** Changes the watcher reports within this time are stored by one sync (a burst of deliveries, flag changes). */
  mailWatchSettleMs: 300,
  /** The first wait before the watcher connects again after its connection failed or dropped… */
  mailWatchReconnectMinMs: 2_000,
  /** …doubled on each failure up to this (a server down for hours costs one login attempt per this time). */
  mailWatchReconnectMaxMs: 5 * 60_000,
  /** How long quitting waits for the watches to log out of their IMAP sessions. */
  mailWatchStopWaitMs: 3_000,
  /** How long the window's `mailbox:changes` call waits for news before it answers with none (and asks again). */
  mailChangesWaitMs: 25_000,
  /** Change events main keeps for a window that asks late. */
  mailChangesKept: 50,
  /** Most rows one `mailbox:list` answer carries (the window asks for the rows it is about to show). */
  mailboxListPageMaxRows: 500,
  /** Folders with fewer rows are listed row by row after the store opens (a sealed list snapshot saves little). */
  mailListSnapshotMinRows: 256,
  /** Largest sealed list snapshot of one folder (its JSON); a larger folder is listed row by row after opening. */
  mailListSnapshotMaxBytes: 64 * 1024 * 1024,
  /** Header bytes read to build a listing row (subject, addresses, date, Content-Type). */
  mailEnvelopeHeaderBytes: 256 * 1024,
  /** CLI.md: lookups outside the configured servers (CRL/OCSP) give up after 3 s and yield "unknown". */
  revocationFetchTimeoutMs: 3000,
  /** CRLs fetched per signature check, and the largest we accept (a big CA's CRL is a few MiB). */
  revocationMaxFetches: 8,
  crlMaxBytes: 16 * 1024 * 1024,
  // smime mail
  /** Nested signature layers `open` unwraps (a list or gateway signing a signed mail); deeper ones stay an attachment. */
  messageMaxSignatureLayers: 3,
  // large messages (streamed through a worker thread)
  /**
   * Encrypted parts (transfer-encoded size) and attachments from this size on are streamed: read
   * in chunks, worked on in a worker thread, decrypted into an encrypted spool. Smaller ones stay
   * in memory and in this thread, where they cost less than a thread: a worker's start (a second
   * V8 isolate that loads openpgp.js or pkijs again) costs about 0.15 s of CPU, more than encrypting
   * or decrypting 4 MiB in memory, whose few copies are far below the memory goal. The one
   * decision is `isStreamedSize` (streaming/large-part.ts).
   */
  streamFromBytes: 4 * 1024 * 1024,
  /** A progress event at most every this many bytes read. */
  streamProgressBytes: 1024 * 1024,
  /** Read view: longest text or HTML part sent to the window (a longer one is cut and says so). */
  readingTextMaxChars: 4 * 1024 * 1024,
  /** Read view: inline (cid:) images shown as data: URLs, each and all together; larger ones stay attachments. */
  readingInlineImageMaxBytes: 5 * 1024 * 1024,
  readingInlineImagesMaxBytes: 20 * 1024 * 1024,
  /**
   * V8 heap of the worker that streams large CMS (its chunks need little; a leak fails there, not in the app). V8
   * sizes its collection limits from this maximum, counting the chunks' ArrayBuffer memory: at 256 MiB it ran a
   * full mark-compact for every ~10 MB streamed (11 per 100 MiB composed, a third of the worker's CPU); from
   * 2 GiB on it runs one, as in the main thread.
   */
  smimeStreamWorkerHeapMiB: 2048,
  /**
   * V8's heap growing factor (as `--heap-growing-percent`) in a CLI process that runs a large S/MIME encryption: the
   * worker's heap stays at ~9 MB while ArrayBuffers stream through, V8 then picks its smallest factor (1.1) and its
   * next limit lies within one young generation of the heap, so after about 400 MiB it ran an incremental
   * mark-compact every 30–80 ms: 75–100 for a 1 GiB compose (1 at 100 MiB), about 1 s of the worker's and the GC
   * threads' CPU. At 300 it runs 5–6. Set for the whole CLI process (V8 flags are per process), never in the app.
   */
  smimeEncryptHeapGrowingPercent: 300,
  /**
   * The same for the worker that decrypts a large S/MIME message, kept at the bound it had before the encrypting
   * worker got 2 GiB: its collections cost little CPU, and a hostile message meets the smaller bound. (100 MiB open:
   * 221 MiB at 2048, 209 MiB at 256, one run each — within the run-to-run spread of about ±20 MiB.)
   */
  smimeDecryptWorkerHeapMiB: 256,
  /**
   * V8 young generation of the worker that decrypts a large OpenPGP message. Its chunks are short-lived, and V8's
   * default (semi-spaces grown to 16 MiB) only held more garbage: 100 MB open, peak RSS 241-272 → 207-220 MiB.
   * Not for encryption: openpgp.js keeps its chunks longer there, and the same limit cost it CPU.
   */
  openpgpDecryptWorkerYoungMiB: 3,
  // transport IPC
  /** Recipients one `policy:decide` call (the composer's view) evaluates at most. */
  policyDecideMaxRecipients: 500,
  /** Recipient domains whose MTA-STS policy the profile keeps (RFC 8461 cache); the ones expiring first go. */
  mtaStsCacheMaxDomains: 10_000,
  // drafts
  /** All attachments of one draft together (the composer's limit; a public key is a few KiB). */
  draftAttachmentsMaxBytes: 25 * 1024 * 1024,
  /** All attachments of one composer draft together (the annual accounts: 100 MB of PDFs and some room). */
  composerAttachmentsMaxBytes: 150 * 1024 * 1024,
  /** Attachments in a draft are sealed in pieces of this size (bounded memory while copying and sending). */
  draftChunkBytes: 1024 * 1024,
  /** The text of one mail typed in the composer (attachments are separate). */
  composerBodyMaxChars: 2_000_000,
  /** Attachments one draft may hold. */
  draftMaxAttachments: 100,
} as const
