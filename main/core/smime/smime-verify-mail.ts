import { reason } from '../errors/index.ts'
import type { OpenContext, SignatureCheck, VerifyOutcome } from '../message/technology.ts'
import { sha256Hex } from './certificate.ts'
import { verifySmimeSignature, verifySmimeSignatureOnline } from './cms-verify.ts'
import { certificateToStoredKey } from './smime-keys.ts'
import { anchorsOf, asEntity, knownCertificates, smimeKeys } from './smime-parts.ts'

/**
 * Checks one CMS signature of a mail for `open`: the verdict of cms-verify.ts with its own code,
 * as the neutral SignatureCheck. Whether the signer is the sender and whether the signature time
 * is far from the Date header decides open.ts for every technology alike.
 */
export async function verifyCms(
  cms: Uint8Array,
  detachedContent: Uint8Array | undefined,
  context: OpenContext,
  contentDigests?: Readonly<Record<string, Uint8Array>>,
): Promise<VerifyOutcome> {
  const keys = smimeKeys(context.keys)
  const input = {
    cms,
    ...(detachedContent ? { detachedContent } : {}),
    ...(contentDigests ? { contentDigests } : {}),
    from: null, // open.ts binds the signer to every From address (message/verdict.ts)
    anchors: anchorsOf(keys),
    intermediates: knownCertificates(keys),
    knownCertificates: knownCertificates(keys),
    now: context.now,
  }
  // Revocation is soft-fail (CLI.md): unreachable or absent CRL/OCSP keeps `valid` and is said in the reason.
  const verdict = context.revocation
    ? await verifySmimeSignatureOnline({ ...input, fetcher: context.revocation.crl, ocsp: context.revocation.ocsp })
    : verifySmimeSignature({ ...input, crls: null })
  const content = detachedContent ?? asEntity(verdict.content ?? new Uint8Array())
  const carried = verdict.certificates
  const signerDer =
    carried.find((der) => sha256Hex(der) === verdict.signerFingerprint) ??
    knownCertificates(keys).find((der) => sha256Hex(der) === verdict.signerFingerprint)
  // The vault's entry when the certificate is known (its acceptance counts); else a transient one, never stored.
  const key = verdict.signerFingerprint
    ? (keys.find((k) => k.fingerprint === verdict.signerFingerprint) ??
      (signerDer ? certificateToStoredKey(signerDer, { chain: carried.filter((der) => der !== signerDer) }) : null))
    : null
  const created = verdict.signingTime ? new Date(verdict.signingTime) : null
  const keyId = verdict.signerFingerprint ?? ''
  // cms-verify's own state (no `mismatch` here: it is given no From address); the reason is its own too.
  const result = verdict.state === 'mismatch' ? 'invalid' : verdict.state
  const check: SignatureCheck = {
    result,
    key: result === 'unknown-key' ? null : key,
    keyId,
    created,
    reason: { code: verdict.code, params: verdict.params },
    warnings: verdict.warnings,
  }
  return { content, signatures: [check], offered: carried }
}

/** A signature that could not even be read: the content is shown, the signature is invalid (as in `verify`). */
export function damagedSignature(error: unknown): SignatureCheck {
  const detail = error instanceof Error ? error.message.split('\n')[0]!.slice(0, 160) : 'unreadable'
  return { result: 'invalid', key: null, keyId: '', created: null, reason: reason('SIGNATURE_DAMAGED', { detail }) }
}

/** verifyCms over digests of content streamed into a spool. */
export async function verifyStreamed(
  cms: Uint8Array,
  contentDigests: Record<string, Uint8Array>,
  context: OpenContext,
) {
  const { signatures, offered } = await verifyCms(cms, undefined, context, contentDigests)
  return { signatures, offered: offered ?? [] }
}
