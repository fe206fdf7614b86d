import type { Worker } from 'node:worker_threads'
import type { StoredKey } from '../keys/stored-key.ts'
import type { ByteSource } from '../mime/byte-source.ts'
import type { MimePart } from '../mime/parse.ts'
import type { Reason } from '../errors/index.ts'
import type { PolicyRule } from '../policy/policy-settings.ts'
import type { Lang } from '../errors/index.ts'
import type { Warning } from './verdict.ts'

/**
 * The hook through which a message-security technology (OpenPGP now, S/MIME next) plugs into
 * `open` and `compose`. The technology-neutral layer (open.ts, compose.ts) owns the MIME tree,
 * the verdict rules of CLI.md (signer = From, coverage, "only the top-level part is decrypted")
 * and the JSON; a technology only recognizes its structures and does the cryptography.
 */
export interface MessageTechnology {
  readonly technology: 'openpgp' | 'smime'

  /** The part is this technology's encrypted entity (e.g. multipart/encrypted; protocol=application/pgp-encrypted). */
  isEncrypted(part: MimePart): boolean
  /** The part is this technology's signed entity (e.g. multipart/signed; protocol=application/pgp-signature). */
  isSigned(part: MimePart): boolean
  /** Decrypts an entity for which isEncrypted is true; never throws for bad input, returns the reason instead. */
  decrypt(part: MimePart, context: OpenContext): Promise<DecryptOutcome>
  /**
   * Checks a signed entity; `content` is the exact signed MIME entity that the signatures cover,
   * `offered` the certificates or keys the signature carried (offered to the user, never trusted).
   */
  verify(part: MimePart, context: OpenContext): Promise<VerifyOutcome>
  /** The content of an opaque signed entity, unverified (to see whether the signature only wraps ciphertext); null when not one. */
  opaqueSignedContent?(part: MimePart): MimePart | null
  /** Inline (non-MIME) protection in a text body, e.g. ASCII-armored OpenPGP; null when there is none. */
  inspectInline?(text: string, context: OpenContext): Promise<InlineOutcome | null>
  /** Which inline protection a text holds, without any cryptography (for a text that is not the whole message). */
  inlineKind?(text: string): 'encrypted' | 'signed' | null
  /**
   * Public keys carried by the message (headers, attachments), offered to the user — never imported
   * here. `carried` are the certificates the checked signatures brought (VerifyOutcome.offered).
   */
  offeredKeys?(root: MimePart, parts: readonly MimePart[], carried: readonly Uint8Array[]): Promise<OfferedKey[]>

  /** Whether `key` is one of this technology's usable keys for the address (signing needs the secret part). */
  keyFor(keys: readonly StoredKey[], address: string, purpose: 'sign' | 'encrypt', now: Date): StoredKey | null
  /** The complete signed entity around `content` (e.g. multipart/signed, RFC 3156 §5). */
  sign(content: Uint8Array, signer: StoredKey, now: Date): Promise<Uint8Array>
  /** The complete encrypted entity around `content`, signed inside too when `signer` is given. */
  encrypt(
    content: Uint8Array,
    recipients: readonly StoredKey[],
    signer: StoredKey | null,
    now: Date,
  ): Promise<Uint8Array>
  /**
   * encrypt for a large message: the content arrives in chunks (a 100 MB attachment read from its
   * file) and the encrypted entity leaves in chunks, worked on in a worker thread when one is given.
   */
  encryptStream?(
    content: AsyncIterable<Uint8Array>,
    contentSize: number,
    recipients: readonly StoredKey[],
    signer: StoredKey | null,
    now: Date,
    streaming: StreamingContext,
  ): AsyncIterable<Uint8Array>
  /** sign for a large message: the content arrives in chunks and the signed entity leaves in chunks. */
  signStream?(content: AsyncIterable<Uint8Array>, signer: StoredKey, now: Date): AsyncIterable<Uint8Array>
  /** Extra outer header fields (e.g. Autocrypt) for a message from `sender`. */
  outerHeaders?(sender: StoredKey, address: string): Promise<[string, string][]>
}

/** The optional work a technology offers (its cryptography is loaded only when one of them runs). */
export type OptionalWork = 'inspectInline' | 'offeredKeys' | 'outerHeaders' | 'encryptStream' | 'signStream'

/**
 * The part of a technology that reads structure only (MIME types, armor lines, vault entries), with no
 * cryptographic library behind it: `open` and `compose` ask every technology these questions, and load the
 * cryptography (openpgp.js, pkijs) of only the one that answers (message/technologies.ts).
 */
export type TechnologyRecognizer = Pick<
  MessageTechnology,
  'technology' | 'isEncrypted' | 'isSigned' | 'opaqueSignedContent' | 'inlineKind' | 'keyFor'
> & {
  /** Which optional work the full technology has. */
  offers: readonly OptionalWork[]
  /** False when offeredKeys would surely find nothing (no key-carrying header or part): the library stays unloaded. */
  mayOfferKeys?(root: MimePart, parts: readonly MimePart[], carried: readonly Uint8Array[]): boolean
}

export interface OpenContext {
  keys: readonly StoredKey[]
  now: Date
  /** Large messages: without it, everything is decrypted in memory (fine for ordinary mail). */
  streaming?: StreamingContext
  /**
   * Network access for revocation checks of signatures (S/MIME: CRLs from distribution points,
   * OCSP from authorityInfoAccess). Each returns the body, or null when unreachable (soft-fail).
   * Absent: revocation is not checked, and the verdict says so.
   */
  revocation?: RevocationNetwork
  /** The language of the verdict texts (default English); codes and params are the same in both. */
  lang?: Lang
  /** The profile's policy rules: a rule requiring TLS for the sender's domain makes a plaintext hop a warning. */
  policyRules?: readonly PolicyRule[]
  /**
   * What is known about earlier mail from the sender (the mail store's history): the warnings it
   * adds (`sender-key-changed`, `first-contact`). Without it, neither is reported.
   */
  senderHistory?: SenderHistory
  /**
   * Receives each attachment's decoded bytes in the one pass that also counts them and computes the SHA-256 of
   * the document (`open --save-attachments`), so the digest is of exactly the bytes handed over. Called after
   * every check, in order, once per attachment; it must take all chunks (a sink that stops early is a bug). Each
   * chunk is a new buffer the sink owns once it has it (nothing here refers to it after): it may free it when done.
   */
  attachmentSink?: AttachmentSink
}

/** One attachment's decoded chunks for the caller to write (see OpenContext.attachmentSink). */
export type AttachmentSink = (
  attachment: { index: number; filename: string },
  chunks: Iterable<Uint8Array>,
) => Promise<void>

/** Asked once per opened message, with the sender's address and the signer's key when a signature checked out. */
export type SenderHistory = (sender: {
  address: string | null
  signer: StoredKey | null
}) => Warning[] | Promise<Warning[]>

export interface RevocationNetwork {
  /** HTTP GET of a CRL. */
  crl(url: string): Promise<Uint8Array | null>
  /** HTTP POST of a DER OCSP request (RFC 6960 App. A.1). */
  ocsp(url: string, request: Uint8Array): Promise<Uint8Array | null>
}

/**
 * How large messages are opened with bounded memory: the decrypted entity goes to an encrypted
 * spool in `tempDir` (released only after the integrity and signature checks), decryption runs
 * in a worker thread when `startWorker` is given, and progress is reported.
 */
/** What a large-message worker is started for (a worker may be tuned to it). */
export type WorkerPurpose = 'decrypt' | 'encrypt'

export interface StreamingContext {
  tempDir: string
  /** Encrypted payloads at least this large are streamed (default limits.streamFromBytes); smaller ones stay in memory. */
  fromBytes?: number
  /** A fresh worker thread for the technology's large-message work (no name: OpenPGP's), and what it is for. */
  startWorker?: (name?: 'openpgp' | 'smime', purpose?: WorkerPurpose) => WorkerLike
  onProgress?: (progress: { done: number; total: number }) => void
  /** Set by openMessage: a technology hands over every spool it returns, to be disposed with the result. */
  keep?: (dispose: () => void) => void
}

/** What a node:worker_threads Worker offers that the technologies use. */
export type WorkerLike = Pick<Worker, 'postMessage' | 'on' | 'off' | 'terminate'>

export type DecryptOutcome =
  | {
      ok: true
      content: Uint8Array | ByteSource
      signatures: SignatureCheck[]
      recipients: string[]
      /** The cipher detects changes itself (AEAD, GCM, OpenPGP MDC); false for S/MIME CBC and 3DES. */
      isAuthenticated: boolean
      /** The content cipher, for the `unauthenticated-encryption` warning. */
      cipher: string
      /** Certificates signatures inside the encrypted entity carried (large messages: checked in the technology). */
      offered?: Uint8Array[]
    }
  | { ok: false; reason: Reason }

export interface VerifyOutcome {
  content: Uint8Array
  signatures: SignatureCheck[]
  offered?: Uint8Array[]
}

/**
 * One signature, checked cryptographically, in the words of CLI.md's verdict; whether it makes the
 * message `valid` (signer = From, coverage) decides open.ts.
 */
export interface SignatureCheck {
  result: 'valid' | 'invalid' | 'unknown-key'
  /** The signing key in the vault (good or bad), null when unknown. */
  key: StoredKey | null
  /** Hex key id or fingerprint as the signature names it. */
  keyId: string
  created: Date | null
  /** Why it is bad or unknown; for a good one what was checked (e.g. revocation), null when nothing is to be said. */
  reason: Reason | null
  /** What the reader should see beside a good signature (e.g. `certificate-revoked-later`). */
  warnings?: Warning[]
}

export interface InlineOutcome {
  kind: 'encrypted' | 'signed'
  /** The armored block is the whole body: only then is it treated as the message's protection. */
  isWholeBody: boolean
  /** Decrypted or signed text, when processed. */
  text: string | null
  failure: Reason | null
  signatures: SignatureCheck[]
}

export interface OfferedKey {
  source: 'autocrypt' | 'attachment' | 'signature'
  technology: 'openpgp' | 'smime'
  fingerprint: string
  emails: string[]
  /** Already in the vault with this fingerprint. */
  isKnown: boolean
}
