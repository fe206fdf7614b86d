import type { StoredKey } from '../keys/stored-key.ts'
import type { ByteSource } from '../mime/byte-source.ts'
import { decodeBody, type MimePart } from '../mime/parse.ts'
import { children, oidOf, parseDer } from './der.ts'
import { oids } from './oids.ts'
import { fromB64, smimeMaterial } from './smime-material.ts'

/** How S/MIME shows up in MIME (RFC 8551 §3): the part types, the CMS inside them, and the vault's certificates. */

export const pkcs7Mime = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime'])
export const pkcs7Signature = new Set(['application/pkcs7-signature', 'application/x-pkcs7-signature'])
export const what = 'S/MIME'

/**
 * CMS content that is not a MIME entity (`openssl cms -encrypt` of a bare text file): shown as
 * text/plain with an empty header block, never with its first line taken for a header field.
 */
export function asEntity(content: Uint8Array): Uint8Array {
  return isEntity(content) ? content : Buffer.concat([Buffer.from('\r\n'), content])
}

function isEntity(content: Uint8Array): boolean {
  const head = Buffer.from(content.subarray(0, 200)).toString('latin1')
  return /^[!-9;-~]+:/.test(head) || head.startsWith('\r\n') || head.startsWith('\n')
}

/** asEntity for content in a spool: the same empty header block in front, without copying it. */
export function asEntitySource(content: ByteSource): ByteSource {
  if (isEntity(content.read(0, 200))) return content
  const blank = new Uint8Array([0x0d, 0x0a])
  return {
    length: content.length + 2,
    read: (start, end) => {
      const stop = Math.min(end, content.length + 2)
      if (stop <= start) return new Uint8Array(0)
      const head = blank.slice(Math.min(start, 2), Math.min(stop, 2))
      return head.length === 0
        ? content.read(start - 2, stop - 2)
        : Buffer.concat([head, content.read(0, Math.max(0, stop - 2))])
    },
  }
}

/** The CMS content type of a pkcs7-mime part: from smime-type, else from the DER itself (old clients omit it). */
export function cmsTypeOf(part: MimePart): 'enveloped' | 'signed' | 'certs-only' | null {
  const type = part.contentType.type
  const isP7m =
    pkcs7Mime.has(type) || (type === 'application/octet-stream' && /\.p7m$/i.test(part.contentType.params.name ?? ''))
  if (!isP7m || part.children.length > 0) return null
  const smimeType = (part.contentType.params['smime-type'] ?? '').toLowerCase()
  if (smimeType === 'enveloped-data' || smimeType === 'authenveloped-data') return 'enveloped'
  if (smimeType === 'signed-data') return 'signed'
  if (smimeType === 'certs-only') return 'certs-only'
  try {
    const id = oidOf(children(parseDer(decodeBody(part), what), what)[0], what)
    if (id === oids.envelopedData || id === oids.authEnvelopedData) return 'enveloped'
    if (id === oids.signedData) return 'signed'
  } catch {
    // not readable CMS: not ours
  }
  return null
}

export const isDetachedSigned = (part: MimePart) =>
  part.contentType.type === 'multipart/signed' &&
  pkcs7Signature.has((part.contentType.params.protocol ?? '').toLowerCase()) &&
  part.children.length >= 2

export function smimeKeys(keys: readonly StoredKey[]): StoredKey[] {
  return keys.filter((key) => key.technology === 'smime' && smimeMaterial(key).certificate)
}

export function anchorsOf(keys: readonly StoredKey[]): Uint8Array[] {
  return smimeKeys(keys)
    .filter((key) => smimeMaterial(key).trustAnchor)
    .map((key) => fromB64(smimeMaterial(key).certificate))
}

/** Certificates the vault holds (own and others', their chains): candidates for paths, never anchors. */
export function knownCertificates(keys: readonly StoredKey[]): Uint8Array[] {
  return smimeKeys(keys).flatMap((key) => [
    fromB64(smimeMaterial(key).certificate),
    ...smimeMaterial(key).chain.map(fromB64),
  ])
}

/** Bytes [start, end) of a source as a source of their own. */
export function sliceSource(source: ByteSource, start: number, end: number): ByteSource {
  const slice: ByteSource = {
    length: end - start,
    read: (from, to) => source.read(start + from, start + Math.min(to, end - start)),
  }
  const { lineIndexOf, readInto } = source
  if (readInto) {
    slice.readInto = (target, from) =>
      readInto.call(source, target.subarray(0, Math.max(0, Math.min(target.length, end - start - from))), start + from)
  }
  if (lineIndexOf) {
    slice.lineIndexOf = (needle, from, to) => {
      const found = lineIndexOf.call(source, needle, start + from, start + Math.min(to, end - start))
      return found < 0 ? -1 : found - start
    }
  }
  return slice
}

export const signaturePartOf = (part: MimePart) =>
  part.children.find((child, index) => index > 0 && pkcs7Signature.has(child.contentType.type)) ?? part.children[1]!
