import type { ReadingView } from '../../preload/mail-contract.ts'
import { addressesOf } from '../core/message/addresses.ts'
import type { VerdictText } from '../core/message/open-document.ts'
import { isRiskyToOpen } from '../core/reading/attachment-file.ts'
import type { Reading } from '../core/reading/open-for-reading.ts'
import { isPasswordPdf } from './mail-container.ts'
import { reasonView } from './reason-view.ts'

// The read view's answer made from a reading: what the window may see of an opened message.

/** The display name as written (quoted names may hold '<' and '@': shown in full, beside the real address). */
export function fromNameOf(from: string): string | null {
  const quoted = /^\s*"((?:[^"\\]|\\.)*)"\s*</.exec(from)?.[1]
  if (quoted !== undefined) return quoted.replace(/\\(.)/g, '$1').trim() || null
  const at = from.lastIndexOf('<')
  const name = at > 0 ? from.slice(0, at).trim() : ''
  return name || null
}

/** Address fields the document may not carry yet (older `open` builds): read from the outer header then. */
export interface OuterFields {
  subject: string | undefined
  cc: string[]
  replyTo: string[]
  sender: string[]
}

/** A verdict's reason in German and English: the document was opened in one language, the window may show the other. */
function bothLanguages(verdict: VerdictText): { de: string; en: string } | null {
  if (!verdict.code) return null
  return reasonView({ code: verdict.code, params: verdict.params }).message
}

export function viewOf(readingId: string, reading: Reading, outer: OuterFields): ReadingView {
  const { document, summary, parts, signer, previousKey, result } = reading
  const headers = document.headers
  const fromAddresses = addressesOf(headers.from)
  const attachmentProtection = new Map(
    parts.flatMap((part) => (part.kind === 'attachment' ? [[part.index, part] as const] : [])),
  )
  const isEncrypted = document.security.encryption.state === 'encrypted'
  const offered = (result.document.offeredKeys ?? []).map((key) => ({
    ...key,
    canImport: reading.offeredKeyFiles.some((file) => file.fingerprint === key.fingerprint.toUpperCase()),
  }))
  return {
    readingId,
    headers: {
      from: headers.from,
      fromName: fromNameOf(headers.from),
      fromAddresses,
      to: headers.to,
      cc: headers.cc ?? outer.cc,
      replyTo: headers.replyTo ?? outer.replyTo,
      sender: headers.sender ?? outer.sender,
      subject: headers.subject,
      isSubjectProtected: isEncrypted && outer.subject !== undefined && outer.subject !== headers.subject,
      date: headers.date,
    },
    summary: {
      state: summary.state,
      number: summary.number,
      tone: summary.tone,
      confidentiality: summary.confidentiality,
      authenticity: summary.authenticity,
      notValidBecause: summary.notValidBecause,
      isContentHidden: summary.isContentHidden,
      isKeyMissing: summary.isKeyMissing,
    },
    warnings: summary.warnings,
    encryption: {
      ...document.security.encryption,
      code: document.security.encryption.code ?? null,
      message: bothLanguages(result.document.security.encryption),
    },
    signature: {
      ...document.security.signature,
      code: document.security.signature.code ?? null,
      message: bothLanguages(result.document.security.signature),
    },
    signer,
    previousKey,
    transport: {
      tls: document.security.transport.tls,
      hops: document.security.transport.hops.map(({ from, by, with: protocol, tls, version, date }) => ({
        from,
        by,
        with: protocol,
        tls,
        version,
        date,
      })),
    },
    parts,
    attachments: result.document.attachments.map((attachment, index) => {
      const part = attachmentProtection.get(index)
      return {
        index,
        filename: attachment.filename,
        contentType: attachment.contentType,
        size: attachment.size,
        sha256: attachment.sha256,
        encrypted: part?.encrypted ?? isEncrypted,
        signed: part?.signed ?? document.security.signature.state !== 'none',
        isRisky: isRiskyToOpen(attachment.filename, attachment.contentType),
        isPasswordPdf: isPasswordPdf(attachment, result.attachmentChunks[index]!),
      }
    }),
    offeredKeys: offered,
  }
}
