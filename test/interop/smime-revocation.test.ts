import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signCms } from '../../main/core/smime/cms-signed.ts'
import { verifySmimeSignatureOnline } from '../../main/core/smime/cms-verify.ts'
import { pemBlocks } from '../../main/core/smime/der.ts'
import { ocspRequestFor, ocspStatusFrom, ocspUrlsOf, type OcspTransport } from '../../main/core/smime/ocsp.ts'
import { httpCrlFetcher, httpOcspTransport } from '../../main/core/smime/revocation-http.ts'
import { crlUrlsOf } from '../../main/core/smime/revocation.ts'
import { skipUnless } from '../helpers/needs.ts'
import { startRevocationPki, type RevocationPki } from '../helpers/revocation-pki.ts'
import { hasOpenssl, openssl } from '../helpers/smime-pki.ts'

/**
 * Revocation for message signatures through the core API (CLI.md, soft-fail): CRLs named in the
 * certificates are fetched from a local HTTP server, OCSP is answered by `openssl ocsp`; revoked →
 * invalid, unreachable → valid with the reason. The CA, its CRLs and responder: revocation-pki.ts.
 * (`open` end to end: smime-open-revocation.test.ts.)
 */
let dir: string
let pki: RevocationPki
const entity = Buffer.from('Content-Type: text/plain\r\n\r\nMandantenpost\r\n')
const der = async (file: string) => pemBlocks(await readFile(file, 'latin1'), ['CERTIFICATE', 'PRIVATE KEY'])[0]!.der

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))(
  'S/MIME revocation via CRL distribution points and OCSP',
  () => {
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'sp-crl-'))
      pki = await startRevocationPki(join(dir, 'pki'))
      for (const name of ['good', 'bad']) {
        pki.issue(name, 'crl+ocsp')
        openssl(['pkcs8', '-topk8', '-nocrypt', '-in', pki.user(name).keyFile, '-out', join(dir, `${name}.p8`)], {
          cwd: dir,
        })
      }
      pki.revoke('bad', 'inter', 'keyCompromise')
    })
    afterAll(async () => {
      await pki?.close()
      await rm(dir, { recursive: true, force: true })
    })

    const check = async (name: string, ocsp?: OcspTransport) => {
      const certificate = await der(pki.user(name).certFile)
      const signer = { certificate, pkcs8: await der(join(dir, `${name}.p8`)), chain: [await der(pki.interCert)] }
      const cms = signCms({ content: entity, signer, detached: true, now: new Date() })
      return verifySmimeSignatureOnline({
        cms,
        detachedContent: entity,
        from: `${name}@example.org`,
        anchors: [await der(pki.rootCert)],
        now: new Date(),
        fetcher: httpCrlFetcher,
        ...(ocsp ? { ocsp } : {}),
      })
    }

    it('reads the distribution point URL from the certificate', async () => {
      expect(crlUrlsOf(await der(pki.user('good').certFile))).toEqual([`http://127.0.0.1:${pki.port}/inter.crl`])
    })

    it('a certificate on the CRL is invalid; one not on it is valid and says so', async () => {
      pki.crlsAvailable = true
      const bad = await check('bad')
      expect(bad).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/CN=bad is revoked/) })
      const good = await check('good')
      expect(good).toMatchObject({ state: 'valid', reason: expect.stringMatching(/not revoked/) })
      expect(pki.requests).toContain('GET /inter.crl')
    })

    it('an unreachable CRL keeps valid and says revocation could not be checked (soft-fail)', async () => {
      pki.crlsAvailable = false
      const bad = await check('bad')
      expect(bad.state).toBe('valid')
      expect(bad.reason).toMatch(/revocation could not be checked for .*CN=bad.* \(soft-fail\)/)
      expect(bad.reason).toMatch(/unreachable or no answer: http:\/\/127\.0\.0\.1/)
    })

    it('OCSP (openssl ocsp as responder) finds the revoked signer when the CRL is unreachable', async () => {
      pki.crlsAvailable = false
      expect(ocspUrlsOf(await der(pki.user('bad').certFile))).toEqual([`http://127.0.0.1:${pki.port}/ocsp/inter`])
      const bad = await check('bad', httpOcspTransport)
      expect(bad).toMatchObject({
        state: 'invalid',
        code: 'SIGNATURE_CERTIFICATE_REVOKED_OCSP',
        params: { subject: 'CN=bad' },
      })
      const good = await check('good', httpOcspTransport)
      expect(good.state).toBe('valid')
      expect(good.reason).toMatch(/good per OCSP/)
      expect(good.reason).not.toMatch(/could not be checked/)
      expect(pki.requests).toContain('POST /ocsp/inter')
    })

    it('an OCSP answer for another certificate or a forged one is "unknown", not "good"', async () => {
      const good = await der(pki.user('good').certFile)
      const bad = await der(pki.user('bad').certFile)
      const ca = await der(pki.interCert)
      const response = (await httpOcspTransport(`http://127.0.0.1:${pki.port}/ocsp/inter`, ocspRequestFor(good, ca)))!
      expect(ocspStatusFrom(response, good, ca, new Date())).toBe('good')
      expect(ocspStatusFrom(response, bad, ca, new Date())).toBe('unknown')
      // change one digit of producedAt (GeneralizedTime, tag 0x18 length 15) inside the signed part
      const forged = Buffer.from(response)
      const producedAt = forged.indexOf(Buffer.from([0x18, 0x0f]))
      expect(producedAt).toBeGreaterThan(0)
      forged[producedAt + 5]! ^= 1
      expect(ocspStatusFrom(forged, good, ca, new Date())).toBe('unknown')
    })
  },
)
