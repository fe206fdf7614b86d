import type * as pkijs from 'pkijs'
import { parseCertificate } from './certificate.ts'
import { toDer } from './der.ts'

/**
 * The certificates of one message, each parsed once (asn1js and pkijs cost ≈1 ms per certificate in a fresh
 * process): a signature's verdict asks for the same certificates several times (path validation before and
 * after the revocation lookups, the S/MIME purpose, the signer's name). Keyed by the DER bytes; a certificate
 * that does not parse is not kept (its error is thrown again on every ask). Live for one message only: the
 * parsed objects are shared by everything that asks, and nothing may change them.
 */
export class ParsedCertificates {
  private readonly byDer = new Map<string, pkijs.Certificate>()
  private readonly ders = new WeakMap<pkijs.Certificate, Uint8Array>()

  parse(der: Uint8Array): pkijs.Certificate {
    const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('latin1')
    let cert = this.byDer.get(key)
    if (!cert) {
      cert = parseCertificate(der)
      this.byDer.set(key, cert)
    }
    return cert
  }

  /** The certificate encoded again (toDer), once per parsed object. */
  der(cert: pkijs.Certificate): Uint8Array {
    let der = this.ders.get(cert)
    if (!der) {
      der = toDer(cert)
      this.ders.set(cert, der)
    }
    return der
  }
}
