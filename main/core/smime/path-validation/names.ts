import type * as asn1js from 'asn1js'
import type * as pkijs from 'pkijs'
import { children, oidOf, parseDer, rawOf, toDer } from '../der.ts'
import { generalNameTags } from '../general-name.ts'

/** Name comparison (RFC 5280 §7.1): RDN by RDN, values with case and inner whitespace folded. */
export type Rdn = string[]

/** A Name as a list of RDNs, each a sorted list of "type=normalized value". */
export function rdnsOf(name: pkijs.RelativeDistinguishedNames): Rdn[] {
  return children(parseDer(toDer(name), 'Name'), 'Name').map(rdnOf)
}

/** One RDN (a SET of AttributeTypeAndValue, or an IMPLICIT-tagged one) as sorted "type=value" strings. */
export function rdnOf(rdn: asn1js.AsnType): Rdn {
  return children(rdn, 'Name')
    .map((atv) => {
      const [type, value] = children(atv, 'Name')
      const raw = (value as unknown as { valueBlock: { value?: unknown } }).valueBlock.value
      const folded = typeof raw === 'string' ? raw.trim().replace(/\s+/g, ' ').toLowerCase() : null
      const text = folded ?? Buffer.from(toDer(value!)).toString('hex')
      return `${oidOf(type, 'Name')}=${text}`
    })
    .sort()
}

export const rdnKey = (rdns: Rdn[]) => rdns.map((r) => r.join('+')).join(',')

/** A parsed Name's key, computed once per Name object (path building compares the same names many times). */
const nameKeys = new WeakMap<pkijs.RelativeDistinguishedNames, string>()

function nameKeyOf(name: pkijs.RelativeDistinguishedNames): string {
  let key = nameKeys.get(name)
  if (key === undefined) {
    key = rdnKey(rdnsOf(name))
    nameKeys.set(name, key)
  }
  return key
}

export const sameName = (a: pkijs.RelativeDistinguishedNames, b: pkijs.RelativeDistinguishedNames) =>
  nameKeyOf(a) === nameKeyOf(b)

/** The Name inside a directoryName GeneralName node ([4] EXPLICIT Name), as RDNs. */
export const directoryNameRdns = (node: asn1js.AsnType): Rdn[] =>
  children(children(node, 'GeneralName')[0], 'Name').map(rdnOf)

/** A GeneralName (raw) as a comparison key: directory names normalized, others by their bytes (case-folded). */
export function generalNameKey(node: asn1js.AsnType): string {
  const tag = node.idBlock.tagNumber
  if (tag === generalNameTags.directoryName) return `dn:${rdnKey(directoryNameRdns(node))}`
  return `${tag}:${Buffer.from(rawOf(node)).subarray(2).toString('latin1').toLowerCase()}`
}
