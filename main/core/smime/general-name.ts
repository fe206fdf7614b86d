import type * as asn1js from 'asn1js'

/**
 * GeneralName (RFC 5280 §4.2.1.6): the CHOICE tags, context-specific; all IMPLICIT except
 * directoryName, which is EXPLICIT because Name is itself a CHOICE. pkijs reports the same
 * numbers as `GeneralName.type`.
 */
export const generalNameTags = {
  otherName: 0,
  rfc822Name: 1,
  dNSName: 2,
  x400Address: 3,
  directoryName: 4,
  ediPartyName: 5,
  uniformResourceIdentifier: 6,
  iPAddress: 7,
  registeredID: 8,
} as const

/** The text of a uniformResourceIdentifier ([6] IMPLICIT IA5String, as parsed), or null for any other GeneralName. */
export function uriOf(node: asn1js.AsnType): string | null {
  const { tagClass, tagNumber, isConstructed } = node.idBlock
  if (tagClass !== 3 || tagNumber !== generalNameTags.uniformResourceIdentifier || isConstructed) return null
  const { valueHexView } = (node as unknown as { valueBlock: { valueHexView: Uint8Array } }).valueBlock
  return Buffer.from(valueHexView).toString('latin1')
}
