import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signCms } from '../../main/core/smime/cms-signed.ts'
import { verifySmimeSignatureOnline } from '../../main/core/smime/cms-verify.ts'
import { pemBlocks } from '../../main/core/smime/der.ts'
import { crlUrlsOf, httpCrlFetcher } from '../../main/core/smime/revocation.ts'
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
        `[user]\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection\nsubjectAltName=email:$ENV::EMAIL\ncrlDistributionPoints=URI:http://127.0.0.1:${port}/ca.crl\n`,
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

  const check = async (name: string) => {
    const certificate = der(await readFile(join(dir, `${name}.pem`)))
    const cms = signCms({ content: entity, signer: { certificate, pkcs8: der(await readFile(join(dir, `${name}.p8`))), chain: [] }, detached: true, now: new Date() })
    return verifySmimeSignatureOnline({ cms, detachedContent: entity, from: `${name}@example.org`, anchors: [der(await readFile(join(dir, 'ca.pem')))], now: new Date(), fetcher: httpCrlFetcher })
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

  it('an unreachable CRL keeps valid and says revocation is unknown (soft-fail)', async () => {
    serveCrl = false
    const bad = await check('bad')
    expect(bad.state).toBe('valid')
    expect(bad.reason).toMatch(/revocation unknown/)
    expect(bad.reason).toMatch(/unreachable: http:\/\/127\.0\.0\.1/)
  })
})
