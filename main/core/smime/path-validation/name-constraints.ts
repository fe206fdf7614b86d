import type * as asn1js from 'asn1js'
import type * as pkijs from 'pkijs'
import { extension } from '../certificate.ts'
import { generalNameTags } from '../general-name.ts'
import { extensionIds, oids } from '../oids.ts'
import { fail } from './path-error.ts'
import { rdnsOf, type Rdn } from './names.ts'

/** Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)–(c), §6.1.4 (g)). */

/** The names of a certificate that name constraints apply to. */
export interface Names {
  dn: Rdn[] | null
  emails: string[]
  dns: string[]
  uris: string[]
  ips: Uint8Array[]
  dirNames: Rdn[][]
}

/** One permittedSubtrees or excludedSubtrees set, by name type. */
export interface Subtrees {
  dirs: Rdn[][]
  emails: string[]
  dns: string[]
  uris: string[]
  ips: Uint8Array[]
  /** Types present in this set (a permitted set restricts only the types it names). */
  types: Set<string>
}

type Name = pkijs.RelativeDistinguishedNames
type Primitive = { valueBlock: { value: unknown } }
const text = (value: unknown) => String(value).toLowerCase()
const octetsOf = (value: unknown) => new Uint8Array((value as asn1js.OctetString).valueBlock.valueHexView)

export function namesOf(cert: pkijs.Certificate): Names {
  const dn = rdnsOf(cert.subject)
  const names: Names = { dn: dn.length > 0 ? dn : null, emails: [], dns: [], uris: [], ips: [], dirNames: [] }
  const san = extension(cert, extensionIds.subjectAltName)?.parsedValue as pkijs.AltName | undefined
  for (const name of san?.altNames ?? []) {
    if (name.type === generalNameTags.rfc822Name) names.emails.push(text(name.value))
    else if (name.type === generalNameTags.dNSName) names.dns.push(text(name.value))
    else if (name.type === generalNameTags.uniformResourceIdentifier) names.uris.push(text(name.value))
    else if (name.type === generalNameTags.iPAddress) names.ips.push(octetsOf(name.value))
    else if (name.type === generalNameTags.directoryName) names.dirNames.push(rdnsOf(name.value as Name))
  }
  // Legacy e-mail in the subject DN is subject to rfc822Name constraints.
  for (const tv of cert.subject.typesAndValues) {
    if (tv.type === oids.emailAddress) names.emails.push(text((tv.value as unknown as Primitive).valueBlock.value))
  }
  return names
}

const subtreeTypes: Record<number, string> = {
  [generalNameTags.directoryName]: 'dir',
  [generalNameTags.rfc822Name]: 'email',
  [generalNameTags.dNSName]: 'dns',
  [generalNameTags.uniformResourceIdentifier]: 'uri',
  [generalNameTags.iPAddress]: 'ip',
}

export function subtreesOf(list: pkijs.GeneralSubtree[] | undefined): Subtrees {
  const out: Subtrees = { dirs: [], emails: [], dns: [], uris: [], ips: [], types: new Set() }
  for (const subtree of list ?? []) {
    const base = subtree.base
    if (base.type === generalNameTags.directoryName) out.dirs.push(rdnsOf(base.value as Name))
    else if (base.type === generalNameTags.rfc822Name) out.emails.push(text(base.value))
    else if (base.type === generalNameTags.dNSName) out.dns.push(text(base.value))
    else if (base.type === generalNameTags.uniformResourceIdentifier) out.uris.push(text(base.value))
    else if (base.type === generalNameTags.iPAddress) out.ips.push(octetsOf(base.value))
    const type = subtreeTypes[base.type]
    if (type) out.types.add(type)
  }
  return out
}

const dirWithin = (name: Rdn[], base: Rdn[]) =>
  base.length <= name.length && base.every((rdn, i) => rdn.join('+') === name[i]!.join('+'))

function emailWithin(address: string, base: string): boolean {
  const at = address.lastIndexOf('@')
  const host = address.slice(at + 1)
  if (base.includes('@')) return address === base
  if (base.startsWith('.')) return host.endsWith(base)
  return host === base
}

const dnsWithin = (name: string, base: string) =>
  base === '' || name === base.replace(/^\./, '') || name.endsWith(base.startsWith('.') ? base : `.${base}`)

function uriWithin(uri: string, base: string): boolean {
  const host = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^:/?#]+)/.exec(uri)?.[1]
  if (!host) return false
  return base.startsWith('.') ? host.endsWith(base) : host === base
}

/** An iPAddress constraint is address + mask (twice the address length). */
function ipWithin(ip: Uint8Array, base: Uint8Array): boolean {
  if (base.length !== ip.length * 2) return false
  for (let i = 0; i < ip.length; i++) {
    const mask = base[ip.length + i]!
    if ((ip[i]! & mask) !== (base[i]! & mask)) return false
  }
  return true
}

/** Per name type: its word in reasons, the certificate's names and a set's bases of that type, and the test. */
function nameKind<T>(
  type: string,
  what: string,
  namesOf: (names: Names) => T[],
  basesOf: (set: Subtrees) => T[],
  within: (name: T, base: T) => boolean,
) {
  const inside = (names: Names, set: Subtrees) => namesOf(names).map((n) => basesOf(set).some((b) => within(n, b)))
  return { type, what, inside }
}

const nameKinds = [
  nameKind(
    'dir',
    'the subject name',
    (n) => [...(n.dn ? [n.dn] : []), ...n.dirNames],
    (s) => s.dirs,
    dirWithin,
  ),
  nameKind(
    'email',
    'an e-mail address',
    (n) => n.emails,
    (s) => s.emails,
    emailWithin,
  ),
  nameKind(
    'dns',
    'a DNS name',
    (n) => n.dns,
    (s) => s.dns,
    dnsWithin,
  ),
  nameKind(
    'uri',
    'a URI',
    (n) => n.uris,
    (s) => s.uris,
    uriWithin,
  ),
  nameKind(
    'ip',
    'an IP address',
    (n) => n.ips,
    (s) => s.ips,
    ipWithin,
  ),
]

/** Fails when a name is outside a permitted set that restricts its type, or inside an excluded set. */
export function checkNames(names: Names, permitted: Subtrees[], excluded: Subtrees[]) {
  for (const set of permitted) {
    for (const kind of nameKinds) {
      if (set.types.has(kind.type) && kind.inside(names, set).includes(false)) {
        fail(`${kind.what} is outside the permitted name constraints`)
      }
    }
  }
  for (const set of excluded) {
    for (const kind of nameKinds) {
      if (kind.inside(names, set).includes(true)) fail(`${kind.what} is excluded by name constraints`)
    }
  }
}
