import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
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
import { hasOpenssl, openssl } from '../helpers/smime-pki.ts'

/**
 * Revocation for message signatures (CLI.md, soft-fail): CRLs named in the certificates are
 * fetched from a local HTTP server; revoked → invalid, unreachable → valid with the reason.
 * The CA and its CRL are made by `openssl ca`.
 */
let dir: string
let server: Server
let port: number
let serveCrl = true
const requests: string[] = []
const entity = Buffer.from('Content-Type: text/plain\r\n\r\nMandantenpost\r\n')
const der = (pem: Buffer) => pemBlocks(pem.toString('latin1'), ['CERTIFICATE', 'PRIVATE KEY', 'X509 CRL'])[0]!.der

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))('S/MIME revocation via CRL distribution points', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sp-crl-'))
    server = createServer(async (request, response) => {
      requests.push(request.url ?? '')
      if (request.url === '/ocsp' && request.method === 'POST') {
        // a real OCSP responder: openssl ocsp answering from the CA's index, file in, file out
        const body: Buffer[] = []
        for await (const chunk of request) body.push(chunk as Buffer)
        await writeFile(join(dir, 'ocsp-req.der'), Buffer.concat(body))
        openssl(['ocsp', '-index', 'index.txt', '-CA', 'ca.pem', '-rsigner', 'ca.pem', '-rkey', 'ca.key', '-reqin', 'ocsp-req.der', '-respout', 'ocsp-resp.der'], { cwd: dir })
        return void response.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(await readFile(join(dir, 'ocsp-resp.der')))
      }
      if (!serveCrl || request.url !== '/ca.crl') return void response.writeHead(404).end()
      response.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(await readFile(join(dir, 'ca.crl')))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
    const run = (args: string[]) => openssl(args, { cwd: dir })
    await writeFile(join(dir, 'index.txt'), '')
    await writeFile(join(dir, 'serial'), '1000\n')
    await writeFile(join(dir, 'crlnumber'), '1000\n')
    await writeFile(
      join(dir, 'ca.cnf'),
      `[ca]\ndefault_ca=d\n[d]\ndir=.\ndatabase=index.txt\nserial=serial\ncrlnumber=crlnumber\nnew_certs_dir=.\ndefault_md=sha256\ndefault_days=365\ndefault_crl_days=30\npolicy=p\ncopy_extensions=none\n[p]\ncommonName=supplied\n` +
        `[user]\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection\nsubjectAltName=email:$ENV::EMAIL\ncrlDistributionPoints=URI:http://127.0.0.1:${port}/ca.crl\nauthorityInfoAccess=OCSP;URI:http://127.0.0.1:${port}/ocsp\n`,
    )
    run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=CRL Test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])
    for (const name of ['good', 'bad']) {
      process.env.EMAIL = `${name}@example.org`
      run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`])
      run(['ca', '-batch', '-config', 'ca.cnf', '-extensions', 'user', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-out', `${name}.pem`, '-notext'])
      run(['pkcs8', '-topk8', '-nocrypt', '-in', `${name}.key`, '-out', `${name}.p8`])
    }
    run(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-revoke', 'bad.pem', '-crl_reason', 'keyCompromise'])
    run(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-gencrl', '-out', 'ca.crl.pem'])
    delete process.env.EMAIL
    run(['crl', '-in', 'ca.crl.pem', '-outform', 'DER', '-out', 'ca.crl'])
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
    await rm(dir, { recursive: true, force: true })
  })

  const check = async (name: string, ocsp?: OcspTransport) => {
    const certificate = der(await readFile(join(dir, `${name}.pem`)))
    const cms = signCms({ content: entity, signer: { certificate, pkcs8: der(await readFile(join(dir, `${name}.p8`))), chain: [] }, detached: true, now: new Date() })
    return verifySmimeSignatureOnline({ cms, detachedContent: entity, from: `${name}@example.org`, anchors: [der(await readFile(join(dir, 'ca.pem')))], now: new Date(), fetcher: httpCrlFetcher, ...(ocsp ? { ocsp } : {}) })
  }

  it('reads the distribution point URL from the certificate', async () => {
    expect(crlUrlsOf(der(await readFile(join(dir, 'good.pem'))))).toEqual([`http://127.0.0.1:${port}/ca.crl`])
  })

  it('a certificate on the CRL is invalid; one not on it is valid and says so', async () => {
    serveCrl = true
    const bad = await check('bad')
    expect(bad).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/revoked/) })
    const good = await check('good')
    expect(good).toMatchObject({ state: 'valid', reason: expect.stringMatching(/not revoked/) })
    expect(requests).toContain('/ca.crl')
  })

  it('an unreachable CRL keeps valid and says revocation could not be checked (soft-fail)', async () => {
    serveCrl = false
    const bad = await check('bad')
    expect(bad.state).toBe('valid')
    expect(bad.reason).toMatch(/revocation could not be checked for CN=bad \(soft-fail\)/)
    expect(bad.reason).toMatch(/unreachable or no answer: http:\/\/127\.0\.0\.1/)
  })

  it('OCSP (openssl ocsp as responder) finds the revoked signer when the CRL is unreachable', async () => {
    serveCrl = false
    expect(ocspUrlsOf(der(await readFile(join(dir, 'bad.pem'))))).toEqual([`http://127.0.0.1:${port}/ocsp`])
    const bad = await check('bad', httpOcspTransport)
    expect(bad).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/CN=bad is revoked .*\(OCSP\)/) })
    const good = await check('good', httpOcspTransport)
    expect(good.state).toBe('valid')
    expect(good.reason).toMatch(/good per OCSP/)
    expect(good.reason).not.toMatch(/could not be checked/)
    expect(requests).toContain('/ocsp')
  })

  it('an OCSP answer for another certificate or a forged one is "unknown", not "good"', async () => {
    const good = der(await readFile(join(dir, 'good.pem')))
    const bad = der(await readFile(join(dir, 'bad.pem')))
    const ca = der(await readFile(join(dir, 'ca.pem')))
    const response = (await httpOcspTransport(`http://127.0.0.1:${port}/ocsp`, ocspRequestFor(good, ca)))!
    expect(ocspStatusFrom(response, good, ca, new Date())).toBe('good')
    expect(ocspStatusFrom(response, bad, ca, new Date())).toBe('unknown')
    // change one digit of producedAt (GeneralizedTime, tag 0x18 length 15) inside the signed part
    const forged = Buffer.from(response)
    const producedAt = forged.indexOf(Buffer.from([0x18, 0x0f]))
    expect(producedAt).toBeGreaterThan(0)
    forged[producedAt + 5]! ^= 1
    expect(ocspStatusFrom(forged, good, ca, new Date())).toBe('unknown')
  })
})
