import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as pkijs from 'pkijs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { skipUnless } from '../../../test/helpers/needs.ts'
import { hasOpenssl, openssl } from '../../../test/helpers/smime-pki.ts'
import { parseCertificate } from './certificate.ts'
import { children, tlv } from './der.ts'
import { distributionPointsOf, issuingDistributionPointOf, type DistributionPointName } from './distribution-point.ts'
import { uriOf } from './general-name.ts'
import { extensionIds } from './oids.ts'
import { crlUrlsOf } from './revocation.ts'

const config = `
[req]
distinguished_name = dn
x509_extensions = ext
prompt = no
[dn]
CN = Distribution Point Test
[ext]
crlDistributionPoints = full, relative
[full]
fullname = URI:http://crl.example/ca.crl, URI:ldap://ldap.example/cn=CA, URI:HTTP://crl.example/ca.crl
CRLissuer = URI:http://issuer.example/not-a-crl, dirName:issuer
[issuer]
O = Other CA
[relative]
relativename = fragment
[fragment]
CN = Partition 7
`

const text = (node: { valueBlock: unknown }) => (node.valueBlock as { value?: unknown }).value
const fullNameUris = (name: DistributionPointName | null) =>
  name && 'fullName' in name ? name.fullName.map(uriOf) : null

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))('DistributionPoint reading', () => {
  let dir: string
  let der: Uint8Array
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sp-crldp-'))
    writeFileSync(join(dir, 'req.cnf'), config)
    const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'key.pem']
    const out = ['-outform', 'DER', '-out', 'cert.der']
    openssl(['req', '-x509', ...key, '-config', 'req.cnf', '-days', '30', ...out], { cwd: dir })
    der = new Uint8Array(readFileSync(join(dir, 'cert.der')))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('reads fullName, cRLIssuer and nameRelativeToCRLIssuer from a certificate made by OpenSSL', () => {
    const [full, relative] = distributionPointsOf(parseCertificate(der))
    expect(fullNameUris(full!.name)).toEqual([
      'http://crl.example/ca.crl',
      'ldap://ldap.example/cn=CA',
      'HTTP://crl.example/ca.crl',
    ])
    expect(full!.crlIssuer.map((gn) => gn.idBlock.tagNumber)).toEqual([6, 4])
    expect(relative!.crlIssuer).toEqual([])
    const name = relative!.name
    expect(name && 'nameRelativeToCrlIssuer' in name).toBe(true)
    const fragment = name && 'nameRelativeToCrlIssuer' in name ? name.nameRelativeToCrlIssuer : undefined
    const [atv] = children(fragment, 'test')
    expect(text(children(atv, 'test')[1]!)).toBe('Partition 7')
  })

  it('fetches CRLs only from the http: URIs of fullName, never from a cRLIssuer name', () => {
    expect(crlUrlsOf(der)).toEqual(['http://crl.example/ca.crl', 'HTTP://crl.example/ca.crl'])
  })

  it('gives no URLs for a certificate without the extension or with unreadable bytes', () => {
    expect(crlUrlsOf(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]))).toEqual([])
  })
})

describe('IssuingDistributionPoint reading', () => {
  const idp = (...fields: Uint8Array[]) => {
    const extnValue = tlv(0x30, ...fields).slice().buffer
    return new pkijs.Extension({ extnID: extensionIds.issuingDistributionPoint, critical: true, extnValue })
  }
  const uri = new TextEncoder().encode('http://crl.example/part1.crl')

  it('reads ReasonFlags past the first byte (aACompromise is bit 8)', () => {
    // keyCompromise (bit 1), cACompromise (bit 2), aACompromise (bit 8): 7 unused bits in the second byte
    const scope = issuingDistributionPointOf(idp(tlv(0x83, new Uint8Array([0x07, 0x60, 0x80]))))
    expect(scope.onlySomeReasons).toBe((1 << 1) | (1 << 2) | (1 << 8))
    expect(scope.name).toBeNull()
  })

  it('reads the distribution point name and no reasons when onlySomeReasons is absent', () => {
    // distributionPoint [0] { fullName [0] { [6] uri } }, indirectCRL [4] TRUE
    const indirectCrl = tlv(0x84, new Uint8Array([0xff]))
    const scope = issuingDistributionPointOf(idp(tlv(0xa0, tlv(0xa0, tlv(0x86, uri))), indirectCrl))
    expect(scope.onlySomeReasons).toBeNull()
    expect(fullNameUris(scope.name)).toEqual(['http://crl.example/part1.crl'])
  })
})
