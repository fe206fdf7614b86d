import { createHash } from 'node:crypto'
import { addressesOf } from '../message/addresses.ts'
import { openMessage, type OpenResult } from '../message/open.ts'
import type { StoredKey } from '../keys/stored-key.ts'
import type { MessageTechnology, OpenContext, SignatureCheck } from '../message/technology.ts'
import type { ByteSource } from '../mime/byte-source.ts'
import { parseMime, type MimePart } from '../mime/parse.ts'
import { keysInMessage } from '../openpgp/mail-keys.ts'
import { displayBodiesOf, type DisplayBody } from './display-parts.ts'
import type { DocumentPart, DocumentWarning, ReadingDocument } from './reading-document.ts'
import { securitySummaryOf, type SecuritySummary } from './security-state.ts'
import { observeSender, type KeyRef, type SenderRecord } from './sender-history.ts'

/** A displayed part with how it was protected (the document's `parts`, or the reading's own walk). */
export type DisplayPart = DisplayBody & { encrypted: boolean; signed: boolean }

export interface SignerView {
  id: string
  name: string
  email: string
  fingerprint: string
  technology: 'openpgp' | 'smime'
  acceptance: 'verified' | 'unverified'
  signedAt: string | null
}

export interface Reading {
  document: ReadingDocument
  summary: SecuritySummary
  parts: DisplayPart[]
  signer: SignerView | null
  previousKey: KeyRef | null
  /** The open result: attachments are saved from it (main only); dispose() when the reading ends. */
  result: OpenResult
  /** Public keys the message carries, armored, in the order of `document.offeredKeys` where known. */
  offeredKeyFiles: { fingerprint: string; armored: string }[]
  /** The sender record to store, or null when the From field names no single address. */
  senderRecord: SenderRecord | null
  /**
   * The signer's S/MIME certificate to keep, so a reply can be encrypted to it: only from a valid
   * signature (path to a trusted anchor, signer = From) and only when the vault lacks it. Stored
   * public only and not compared (its acceptance stays "unverified"), never as a trust anchor.
   */
  collectedCertificate: StoredKey | null
}

export interface ReadingDeps {
  technologies: readonly MessageTechnology[]
  context: OpenContext
  senders: readonly SenderRecord[]
  /** A policy rule requires TLS on the way from this sender (CLI.md `plaintext-hop`). */
  requiresTls: (address: string) => boolean
}

const warning = (code: string, text: string): DocumentWarning => ({ code, text })

/** Each technology as is, but whatever it decrypted, verified or found inline is noted for the display walk. */
function recording(technologies: readonly MessageTechnology[]) {
  const seen = {
    layers: [] as (Uint8Array | ByteSource)[],
    checks: [] as SignatureCheck[],
    inlineText: null as string | null,
  }
  const wrapped = technologies.map((technology) => {
    const copy = Object.create(technology) as MessageTechnology
    copy.decrypt = async (part, context) => {
      const outcome = await technology.decrypt(part, context)
      if (outcome.ok) {
        seen.layers.push(outcome.content)
        seen.checks.push(...outcome.signatures)
      }
      return outcome
    }
    copy.verify = async (part, context) => {
      const verified = await technology.verify(part, context)
      seen.layers.push(verified.content)
      seen.checks.push(...verified.signatures)
      return verified
    }
    if (technology.inspectInline) {
      copy.inspectInline = async (text, context) => {
        const inline = await technology.inspectInline!(text, context)
        if (inline?.isWholeBody && inline.text !== null && inline.failure === null) {
          seen.inlineText = inline.text
          seen.checks.push(...inline.signatures)
        }
        return inline
      }
    }
    return copy
  })
  return { wrapped, seen }
}

function allParts(root: MimePart): MimePart[] {
  return [root, ...root.children.flatMap(allParts)]
}

/** The protection of each displayed part: the document's own list when it lines up, else the reading's walk. */
function partsWithProtection(bodies: DisplayBody[], document: ReadingDocument): DisplayPart[] {
  const fromDocument: DocumentPart[] | undefined = document.parts
  if (fromDocument && fromDocument.length === bodies.length)
    return bodies.map((body, i) => ({
      ...body,
      encrypted: fromDocument[i]!.encrypted,
      signed: fromDocument[i]!.signed,
    }))
  const isEncrypted = document.security.encryption.state === 'encrypted'
  const isSigned = document.security.signature.state !== 'none'
  return bodies.map((body) =>
    body.kind === 'not-opened' || (body.kind === 'attachment' && body.isInClosedPart)
      ? { ...body, encrypted: true, signed: false }
      : { ...body, encrypted: isEncrypted, signed: isSigned },
  )
}

/**
 * Opens a message for the read view: the verdicts of `open`, the display parts (each on its own,
 * never joined), the sender history's warnings and the state of the security bar.
 */
export async function openForReading(raw: Uint8Array | ByteSource, deps: ReadingDeps): Promise<Reading> {
  const { wrapped, seen } = recording(deps.technologies)
  const result = await openMessage(raw, wrapped, deps.context)
  try {
    const document = result.document as unknown as ReadingDocument & {
      offeredKeys?: OpenResult['document']['offeredKeys']
    }
    const root = parseMime(raw)
    const isHidden = document.security.encryption.state === 'failed'
    const last = seen.layers[seen.layers.length - 1]
    const displayed = last === undefined ? root : parseMime(last)
    const bodies = isHidden ? [] : displayBodiesOf(displayed, deps.technologies, seen.inlineText)
    const parts = partsWithProtection(bodies, document)

    const signature = document.security.signature
    const signerCheck =
      signature.state === 'valid'
        ? seen.checks.find(
            (check) =>
              check.result === 'valid' &&
              check.key !== null &&
              signature.signer !== null &&
              check.key.emails.includes(signature.signer),
          )
        : undefined
    const signerKey = signerCheck?.key ?? null
    const signer: SignerView | null = signerKey
      ? {
          id: signerKey.id,
          name: signerKey.name,
          email: signature.signer ?? signerKey.emails[0] ?? '',
          fingerprint: signerKey.fingerprint,
          technology: signerKey.technology,
          acceptance: signerKey.acceptance,
          signedAt: signerCheck?.created?.toISOString() ?? null,
        }
      : null

    const readingWarnings: DocumentWarning[] = []
    const from = addressesOf(document.headers.from)
    let senderRecord: SenderRecord | null = null
    let previousKey: KeyRef | null = null
    if (from.length === 1) {
      const bytes = raw instanceof Uint8Array ? raw : null
      const digest = createHash('sha256')
      if (bytes) digest.update(bytes)
      else digest.update(`${document.headers.date}\n${document.headers.subject}\n${from[0]}\n${raw.length}`)
      const verdict = observeSender(deps.senders, {
        address: from[0]!,
        messageDigest: digest.digest('hex'),
        signerKey: signerKey ? { technology: signerKey.technology, fingerprint: signerKey.fingerprint } : null,
        now: deps.context.now,
      })
      senderRecord = verdict.next
      previousKey = verdict.previousKey
      if (verdict.isFirstContact)
        readingWarnings.push(warning('first-contact', 'no earlier mail from this address is known'))
      if (verdict.isKeyChanged)
        readingWarnings.push(
          warning('sender-key-changed', 'the signer’s key differs from the one last seen for this address'),
        )
      const domain = from[0]!.split('@')[1] ?? ''
      const hasPlainHop = document.security.transport.hops.some((hop) => hop.tls === false)
      if (hasPlainHop && (deps.requiresTls(from[0]!) || deps.requiresTls(domain))) {
        readingWarnings.push(
          warning('plaintext-hop', 'a hop on the way had no TLS, and a policy rule requires TLS for this sender'),
        )
      }
    }
    const summary = securitySummaryOf(
      {
        ...document,
        parts: parts.map(({ kind, encrypted, signed }) => ({
          kind: kind === 'html' ? 'html' : kind,
          encrypted,
          signed,
        })),
      },
      readingWarnings,
    )

    const offeredKeyFiles: Reading['offeredKeyFiles'] = []
    if (!isHidden) {
      for (const { key } of await keysInMessage(root, allParts(displayed)).catch(() => [])) {
        const fingerprint = key.getFingerprint().toUpperCase()
        if (!offeredKeyFiles.some((k) => k.fingerprint === fingerprint))
          offeredKeyFiles.push({ fingerprint, armored: key.toPublic().armor() })
      }
    }
    const isNewSmimeSigner =
      signature.state === 'valid' &&
      signerKey?.technology === 'smime' &&
      !deps.context.keys.some((key) => key.technology === 'smime' && key.fingerprint === signerKey.fingerprint)
    const collectedCertificate = isNewSmimeSigner ? signerKey : null
    return {
      document,
      summary,
      parts,
      signer,
      previousKey,
      result,
      offeredKeyFiles,
      senderRecord,
      collectedCertificate,
    }
  } catch (error) {
    result.dispose()
    throw error
  }
}
