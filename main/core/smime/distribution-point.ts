import type * as asn1js from 'asn1js'
import type * as pkijs from 'pkijs'
import { extension } from './certificate.ts'
import { children, parseDer } from './der.ts'
import { extensionIds } from './oids.ts'

/**
 * The one reader of distribution points: a certificate's cRLDistributionPoints (RFC 5280
 * §4.2.1.13) and a CRL's issuingDistributionPoint (§5.2.5), read from the DER because pkijs
 * fails on nameRelativeToCRLIssuer and keeps only the first byte of ReasonFlags. Names come back
 * as parsed nodes; path validation compares them, revocation fetching takes the URIs.
 */

/** DistributionPointName: [0] fullName (GeneralName nodes) or [1] nameRelativeToCRLIssuer (one RDN node). */
export type DistributionPointName = { fullName: asn1js.AsnType[] } | { nameRelativeToCrlIssuer: asn1js.AsnType }

export interface DistributionPoint {
  name: DistributionPointName | null
  /** [2] cRLIssuer, GeneralName nodes; empty when absent. */
  crlIssuer: asn1js.AsnType[]
}

export interface IssuingDistributionPoint {
  name: DistributionPointName | null
  /** [3] onlySomeReasons as a ReasonFlags bit mask (bit n = reason n), or null when absent. */
  onlySomeReasons: number | null
}

/** The context-tagged fields of a SEQUENCE of optional [n] fields, by tag number. */
function fieldsByTag(node: asn1js.AsnType): Map<number, asn1js.AsnType> {
  const fields = children(node, 'DistributionPoint').filter((f) => f.idBlock.tagClass === 3)
  return new Map(fields.map((f) => [f.idBlock.tagNumber, f]))
}

/** A DistributionPointName from the [0] field that holds it (EXPLICIT: the field wraps the CHOICE). */
function nameOf(field: asn1js.AsnType | undefined): DistributionPointName | null {
  if (!field) return null
  const choice = children(field, 'DistributionPoint')[0]!
  if (choice.idBlock.tagNumber === 0) return { fullName: children(choice, 'DistributionPoint') }
  return { nameRelativeToCrlIssuer: choice }
}

/** ReasonFlags from a BIT STRING's contents: byte 0 counts unused bits, bit n is bit (7 - n % 8) of byte 1 + n / 8. */
function reasonFlagsOf(field: asn1js.AsnType): number {
  const { valueHexView } = (field as unknown as { valueBlock: { valueHexView: Uint8Array } }).valueBlock
  const bytes = new Uint8Array(valueHexView)
  let mask = 0
  for (let bit = 0; bit < 9; bit++) {
    if ((bytes[1 + (bit >> 3)] ?? 0) & (0x80 >> (bit & 7))) mask |= 1 << bit
  }
  return mask
}

/** The certificate's cRLDistributionPoints; none when the extension is absent. Malformed DER throws SMIME_MALFORMED. */
export function distributionPointsOf(cert: pkijs.Certificate): DistributionPoint[] {
  const ext = extension(cert, extensionIds.crlDistributionPoints)
  if (!ext) return []
  return children(parseDer(new Uint8Array(ext.extnValue.valueBlock.valueHexView), 'CRLDP'), 'CRLDP').map((dp) => {
    const fields = fieldsByTag(dp)
    const crlIssuer = fields.get(2)
    return { name: nameOf(fields.get(0)), crlIssuer: crlIssuer ? children(crlIssuer, 'CRLDP') : [] }
  })
}

/** The distribution point and onlySomeReasons of an issuingDistributionPoint extension. */
export function issuingDistributionPointOf(ext: pkijs.Extension): IssuingDistributionPoint {
  const fields = fieldsByTag(parseDer(new Uint8Array(ext.extnValue.valueBlock.valueHexView), 'IDP'))
  const reasons = fields.get(3)
  return { name: nameOf(fields.get(0)), onlySomeReasons: reasons ? reasonFlagsOf(reasons) : null }
}
