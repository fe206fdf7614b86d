import { reason, SiegelpostError } from '../errors/index.ts'
import { entityHead } from '../mime/build.ts'
import { bodyLength, decodeBody } from '../mime/parse.ts'
import type { DecryptOutcome, MessageTechnology, OfferedKey } from '../message/technology.ts'
import { basicConstraintsOf, certificatesFromSignedData, emailsOf, parseCertificate, sha256Hex } from './certificate.ts'
import { decryptCms, encryptCms } from './cms-envelope.ts'
import {
  envelopeFor,
  pkcs7MimeEntity,
  pkcs7MimeHeaders,
  signDetached,
  signDetachedStream,
  smimeTypeOf,
} from './smime-compose.ts'
import { decryptLarge } from './smime-large.ts'
import { isLargePart } from '../streaming/large-part.ts'
import { fromB64, smimeMaterial } from './smime-keys.ts'
import { asEntity, cmsTypeOf, isDetachedSigned, signaturePartOf, smimeKeys } from './smime-parts.ts'
import { damagedSignature, verifyCms } from './smime-verify-mail.ts'
import { smimeRecognizer } from './smime-kind.ts'
import { smimeThroughWorker } from './stream-port.ts'

/**
 * S/MIME 4.0 (RFC 8551) as a message technology for `open` and `compose`: application/pkcs7-mime
 * enveloped-data / authEnveloped-data / signed-data, and multipart/signed with
 * application/pkcs7-signature (and the old x-pkcs7-* names). The CMS work is cms-*.ts; this file
 * only maps MIME to CMS and CMS verdicts to the neutral SignatureCheck of message/technology.ts.
 * Writing: smime-compose.ts; large messages: smime-large.ts.
 */
/** One reason for every failure (not a recipient, wrong key, damaged data): no decryption oracle. */
const notDecrypted = reason('ENCRYPTION_SMIME_NOT_DECRYPTED')

/** S/MIME's cryptography for `open` and `compose`; message/technologies.ts loads it when a message needs it. */
export const smimeMessageTechnology: MessageTechnology = {
  ...smimeRecognizer,

  async decrypt(part, context): Promise<DecryptOutcome> {
    const own = smimeKeys(context.keys).filter((key) => key.hasSecret && smimeMaterial(key).privateKey)
    if (own.length === 0) return { ok: false, reason: reason('ENCRYPTION_NO_SMIME_KEY') }
    const streaming = context.streaming
    if (isLargePart(part, streaming)) return decryptLarge(part, own, context, streaming)
    let cms: Uint8Array
    try {
      cms = decodeBody(part)
    } catch {
      return { ok: false, reason: reason('ENCRYPTION_DAMAGED') }
    }
    for (const key of own) {
      try {
        const material = smimeMaterial(key)
        const result = decryptCms({
          cms,
          identities: [{ certificate: fromB64(material.certificate), pkcs8: fromB64(material.privateKey!) }],
        })
        const recipients = [`${key.emails[0] ?? key.name} (${result.contentAlgorithm})`]
        const { isAuthenticated, contentAlgorithm: cipher } = result
        return { ok: true, content: asEntity(result.content), signatures: [], recipients, isAuthenticated, cipher }
      } catch (error) {
        // The CMS layer's own reason (what is not supported, what is damaged) survives to the verdict.
        if (
          error instanceof SiegelpostError &&
          (error.code === 'SMIME_UNSUPPORTED' || error.code === 'SMIME_MALFORMED')
        ) {
          return { ok: false, reason: { code: error.code, params: error.params } }
        }
      }
    }
    return { ok: false, reason: notDecrypted }
  },

  async verify(part, context) {
    const detached = isDetachedSigned(part)
    try {
      if (detached) return await verifyCms(decodeBody(signaturePartOf(part)), part.children[0]!.raw, context)
      return await verifyCms(decodeBody(part), undefined, context)
    } catch (error) {
      // Bad input never ends `open`: the content (if any) is shown, the signature is invalid.
      return { content: detached ? part.children[0]!.raw : new Uint8Array(), signatures: [damagedSignature(error)] }
    }
  },

  async offeredKeys(_root, parts, carried): Promise<OfferedKey[]> {
    const offered: OfferedKey[] = []
    const candidates: Uint8Array[] = [...carried]
    for (const part of parts) {
      if (cmsTypeOf(part) !== 'certs-only' || bodyLength(part) > 1024 * 1024) continue
      try {
        candidates.push(...certificatesFromSignedData(decodeBody(part)))
      } catch {
        // unreadable: nothing to offer
      }
    }
    for (const der of candidates) {
      try {
        const cert = parseCertificate(der)
        const fingerprint = sha256Hex(der)
        if (basicConstraintsOf(cert).isCA || offered.some((o) => o.fingerprint === fingerprint)) continue
        offered.push({ source: 'signature', technology: 'smime', fingerprint, emails: emailsOf(cert), isKnown: false })
      } catch {
        // a damaged certificate is not offered
      }
    }
    return offered
  },

  async sign(content, signer, now) {
    return signDetached(content, signer, now)
  },

  async encrypt(content, recipients, signer, now) {
    // Sign-then-encrypt (RFC 8551 §3.7): the signed entity inside the envelope, no outer signature.
    const inner = signer ? signDetached(content, signer, now) : content
    const { encryptTo, cipher } = envelopeFor(recipients)
    return pkcs7MimeEntity(smimeTypeOf(cipher), encryptCms({ content: inner, recipients: encryptTo, cipher }))
  },

  signStream(content, signer, now) {
    // The same entity as sign: a detached signature over the content, hashed as it passes.
    return signDetachedStream(content, signer, now)
  },

  encryptStream(content, contentSize, recipients, signer, now, streaming) {
    // The same entity as encrypt: sign-then-encrypt, the signed entity streamed through the worker's envelope.
    const inner = signer ? signDetachedStream(content, signer, now) : content
    const { encryptTo, cipher } = envelopeFor(recipients)
    return (async function* () {
      yield entityHead(pkcs7MimeHeaders(smimeTypeOf(cipher)))
      // The worker writes the base64 lines too: this thread only hashes the content for the signature.
      const job = { kind: 'encrypt' as const, recipients: encryptTo, cipher, base64: true }
      yield* smimeThroughWorker(streaming, inner, job, contentSize)
    })()
  },
}
