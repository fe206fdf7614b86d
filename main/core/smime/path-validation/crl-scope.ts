import type * as pkijs from 'pkijs'
import { distributionPointsOf, issuingDistributionPointOf, type DistributionPointName } from '../distribution-point.ts'
import { generalNameTags } from '../general-name.ts'
import { extensionIds } from '../oids.ts'
import { directoryNameRdns, generalNameKey, rdnKey, rdnOf, rdnsOf, sameName, type Rdn } from './names.ts'

/** Every reason of ReasonFlags: keyCompromise … aACompromise (bits 1–8; bit 0 is unused). */
export const allReasons = 0x1fe

/** A DistributionPointName as name keys (generalNameKey), relative names resolved against `crlIssuers`. */
function nameKeys(name: DistributionPointName | null, crlIssuers: Rdn[][]): string[] {
  if (!name) return []
  if ('fullName' in name) return name.fullName.map(generalNameKey)
  // RFC 5280 §4.2.1.13: the fragment is appended to the CRL issuer's name (cRLIssuer, else the certificate issuer).
  return crlIssuers.map((base) => `dn:${rdnKey([...base, rdnOf(name.nameRelativeToCrlIssuer)])}`)
}

/** A certificate's distribution points as name keys: their names and their cRLIssuer names. */
function certificatePoints(cert: pkijs.Certificate): { names: string[]; crlIssuers: string[] }[] {
  return distributionPointsOf(cert).map((dp) => {
    const directoryNames = dp.crlIssuer.filter((gn) => gn.idBlock.tagNumber === generalNameTags.directoryName)
    const issuerDns = directoryNames.map(directoryNameRdns)
    const names = nameKeys(dp.name, issuerDns.length > 0 ? issuerDns : [rdnsOf(cert.issuer)])
    return { names, crlIssuers: dp.crlIssuer.map(generalNameKey) }
  })
}

type Crl = pkijs.CertificateRevocationList

/** Every distribution point names a cRLIssuer, and none of them is `crlIssuerKey`. */
const namesOnlyOtherIssuers = (points: { crlIssuers: string[] }[], crlIssuerKey: string) =>
  points.length > 0 && points.every((dp) => dp.crlIssuers.length > 0 && !dp.crlIssuers.includes(crlIssuerKey))

/** RFC 5280 §6.3.3 (b): does this CRL's scope cover the certificate? Returns the reasons it covers, or null. */
export function crlScope(cert: pkijs.Certificate, crl: Crl, isCaCert: boolean): number | null {
  const idpExt = crl.crlExtensions?.extensions.find((e) => e.extnID === extensionIds.issuingDistributionPoint)
  const idp = idpExt?.parsedValue as pkijs.IssuingDistributionPoint | undefined
  const certDps = certificatePoints(cert)
  const crlIssuerKey = `dn:${rdnKey(rdnsOf(crl.issuer))}`
  if (!sameName(crl.issuer, cert.issuer)) {
    // An indirect CRL: only when it says so and the certificate names its issuer as cRLIssuer.
    if (!idp?.indirectCRL) return null
    if (!certDps.some((dp) => dp.crlIssuers.includes(crlIssuerKey))) return null
  } else if (namesOnlyOtherIssuers(certDps, crlIssuerKey)) {
    // Every distribution point names another CRL issuer: the issuer's own CRL is not the one to use.
    return null
  }
  if (!idp) return allReasons
  if (idp.onlyContainsUserCerts && isCaCert) return null
  if (idp.onlyContainsCACerts && !isCaCert) return null
  if (idp.onlyContainsAttributeCerts) return null
  const scope = issuingDistributionPointOf(idpExt!)
  if (scope.name) {
    const idpNames = new Set(nameKeys(scope.name, [rdnsOf(crl.issuer)]))
    const certNames = certDps.flatMap((dp) => (dp.names.length > 0 ? dp.names : dp.crlIssuers))
    if (!certNames.some((name) => idpNames.has(name))) return null
  }
  return scope.onlySomeReasons === null ? allReasons : scope.onlySomeReasons & allReasons
}
