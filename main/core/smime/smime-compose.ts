import { createHash } from 'node:crypto'
import type { StoredKey } from '../keys/stored-key.ts'
import { base64Lines, entity, multipart, multipartStream, type HeaderList } from '../mime/build.ts'
import type { ContentCipher, EncryptRecipient, KeyTransport } from './cms-envelope.ts'
import { signCms, signDigestDetached } from './cms-signed.ts'
import { oids } from './oids.ts'
import { fromB64, smimeMaterial } from './smime-keys.ts'

/**
 * Writing S/MIME (RFC 8551): multipart/signed with a detached CMS signature, and the envelope.
 *
 * Key choice when composing (documented in the README): a recipient's certificate is usable when
 * it is in the vault, valid now, carries the address and allows encryption. The key transport and
 * content cipher follow what the recipient advertised (SMIMECapabilities recorded with the
 * certificate as `material.capabilities` by `keys import MAIL.eml`): RSA-OAEP only when advertised,
 * else PKCS#1 v1.5; AuthEnvelopedData (AES-256-GCM) only when every recipient advertised it, else
 * AES-256-CBC. The sender's own certificate counts as advertising what Siegelpost reads.
 */

/** What Siegelpost itself reads (and advertises in its signatures): the sender's own copy may use it. */
const ownCapabilities: readonly string[] = [oids.aes256Gcm, oids.rsaOaep]

function keyTransportFor(key: StoredKey): { keyTransport: KeyTransport; gcm: boolean } {
  const capabilities = (key.material as { capabilities?: unknown }).capabilities
  const list = Array.isArray(capabilities)
    ? capabilities.map(String)
    : smimeMaterial(key).privateKey
      ? ownCapabilities
      : []
  return { keyTransport: list.includes(oids.rsaOaep) ? 'rsa-oaep' : 'rsa-pkcs1', gcm: list.includes(oids.aes256Gcm) }
}

function signingIdentity(signer: StoredKey) {
  const material = smimeMaterial(signer)
  return {
    certificate: fromB64(material.certificate),
    chain: material.chain.map(fromB64),
    pkcs8: fromB64(material.privateKey!),
  }
}

export const pkcs7MimeHeaders = (smimeType: string): HeaderList => [
  ['Content-Type', `application/pkcs7-mime; smime-type=${smimeType}; name="smime.p7m"`],
  ['Content-Transfer-Encoding', 'base64'],
  ['Content-Disposition', 'attachment; filename="smime.p7m"'],
  ['Content-Description', 'S/MIME Encrypted Message'],
]

export function pkcs7MimeEntity(smimeType: string, cms: Uint8Array): Uint8Array {
  return entity(pkcs7MimeHeaders(smimeType), base64Lines(cms))
}

const signedParams = { protocol: 'application/pkcs7-signature', micalg: 'sha-256' }

function signaturePartFor(cms: Uint8Array): Uint8Array {
  return entity(
    [
      ['Content-Type', 'application/pkcs7-signature; name="smime.p7s"'],
      ['Content-Transfer-Encoding', 'base64'],
      ['Content-Disposition', 'attachment; filename="smime.p7s"'],
      ['Content-Description', 'S/MIME Cryptographic Signature'],
    ],
    base64Lines(cms),
  )
}

export function signDetached(content: Uint8Array, signer: StoredKey, now: Date): Uint8Array {
  const cms = signCms({ content, signer: signingIdentity(signer), detached: true, now })
  return multipart('signed', signedParams, [content, signaturePartFor(cms)])
}

/** signDetached over content that arrives in chunks: hashed on its way through, the signature part after it. */
export function signDetachedStream(
  content: AsyncIterable<Uint8Array>,
  signer: StoredKey,
  now: Date,
): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256')
  async function* hashed() {
    for await (const chunk of content) {
      hash.update(chunk)
      yield chunk
    }
  }
  // multipartStream reads its children in order: the signature is made once the content has passed.
  async function* signature() {
    yield signaturePartFor(signDigestDetached(hash.digest(), signingIdentity(signer), now))
  }
  return multipartStream('signed', signedParams, [hashed(), signature()])
}

/** The envelope's recipients and content cipher, as the recipients advertised (see the top of this file). */
export function envelopeFor(recipients: readonly StoredKey[]): {
  encryptTo: EncryptRecipient[]
  cipher: ContentCipher
} {
  const choices = recipients.map(keyTransportFor)
  const cipher: ContentCipher = choices.every((c) => c.gcm) ? 'aes-256-gcm' : 'aes-256-cbc'
  const encryptTo: EncryptRecipient[] = recipients.map((key, index) => ({
    certificate: fromB64(smimeMaterial(key).certificate),
    keyTransport: choices[index]!.keyTransport,
  }))
  return { encryptTo, cipher }
}

export const smimeTypeOf = (cipher: ContentCipher) =>
  cipher === 'aes-256-gcm' ? 'authEnveloped-data' : 'enveloped-data'
