import * as asn1js from 'asn1js'
import { SiegelpostError } from '../errors/index.ts'
import { limits } from '../limits.ts'

/**
 * ASN.1 helpers for the S/MIME core. Every BER/DER parse goes through `parseDer` with explicit
 * limits from limits.ts: asn1js 4 defaults (16 MiB, 10,000 nodes) reject large messages, and no
 * limit at all would let a hostile file exhaust memory (library-facts §10).
 */
export function parseDer(bytes: Uint8Array, what: string): asn1js.AsnType {
  let parsed: ReturnType<typeof asn1js.fromBER>
  try {
    parsed = asn1js.fromBER(bytes, {
      maxContentLength: limits.smimeBerMaxContentBytes,
      maxNodes: limits.smimeBerMaxNodes,
      maxDepth: limits.smimeBerMaxDepth,
    })
  } catch (error) {
    throw new SiegelpostError('SMIME_MALFORMED', {
      what,
      reason: error instanceof Error ? error.message.slice(0, 120) : 'ASN.1',
    })
  }
  if (parsed.offset === -1 || parsed.result.error) {
    throw new SiegelpostError('SMIME_MALFORMED', { what, reason: parsed.result.error || 'ASN.1' })
  }
  return parsed.result
}

export const seq = (...value: asn1js.AsnType[]) => new asn1js.Sequence({ value })
export const set = (...value: asn1js.AsnType[]) => new asn1js.Set({ value })
export const oid = (value: string) => new asn1js.ObjectIdentifier({ value })
export const int = (value: number) => new asn1js.Integer({ value })
export const octets = (bytes: Uint8Array) => new asn1js.OctetString({ valueHex: bytes })
export const nul = () => new asn1js.Null()
export const explicit = (tag: number, ...value: asn1js.AsnType[]) =>
  new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: tag }, value })
export const implicitOctets = (tag: number, bytes: Uint8Array) =>
  new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: tag }, valueHex: bytes })
export const algorithm = (id: string, parameters?: asn1js.AsnType) =>
  parameters ? seq(oid(id), parameters) : seq(oid(id))

export function toDer(node: asn1js.AsnType | { toSchema(): asn1js.AsnType }): Uint8Array {
  const schema = 'toSchema' in node && typeof node.toSchema === 'function' ? node.toSchema() : (node as asn1js.AsnType)
  return new Uint8Array(schema.toBER(false))
}

/**
 * Children of a constructed node (SEQUENCE, SET, [n] EXPLICIT). Only a constructed node counts: the
 * value of a primitive one can be an array too (an OID's sub-identifiers), but of no ASN.1 nodes.
 */
export function children(node: asn1js.AsnType | undefined, what: string): asn1js.AsnType[] {
  const block = node as { idBlock?: { isConstructed?: boolean }; valueBlock?: { value?: unknown } } | undefined
  const value = block?.valueBlock?.value
  if (block?.idBlock?.isConstructed !== true || !Array.isArray(value))
    throw new SiegelpostError('SMIME_MALFORMED', { what, reason: 'expected a constructed value' })
  return value as asn1js.AsnType[]
}

export function oidOf(node: asn1js.AsnType | undefined, what: string): string {
  if (!(node instanceof asn1js.ObjectIdentifier))
    throw new SiegelpostError('SMIME_MALFORMED', { what, reason: 'expected an OID' })
  return node.valueBlock.toString()
}

/** Content of an OCTET STRING (or any primitive), concatenating the segments of a constructed BER one. */
export function bytesOf(node: asn1js.AsnType | undefined, what: string): Uint8Array {
  if (!node) throw new SiegelpostError('SMIME_MALFORMED', { what, reason: 'value missing' })
  const block = node as unknown as {
    idBlock: { isConstructed: boolean }
    valueBlock: { value?: asn1js.AsnType[]; valueHexView?: Uint8Array }
  }
  if (block.idBlock.isConstructed) {
    // A constructed value asn1js could not split into parts (its value is then not a list) is damaged.
    const value = block.valueBlock.value
    if (!Array.isArray(value)) throw new SiegelpostError('SMIME_MALFORMED', { what, reason: 'expected octets' })
    return concat(value.map((part) => bytesOf(part, what)))
  }
  if (!block.valueBlock.valueHexView) throw new SiegelpostError('SMIME_MALFORMED', { what, reason: 'expected octets' })
  return new Uint8Array(block.valueBlock.valueHexView)
}

export function intOf(node: asn1js.AsnType | undefined, what: string): number {
  if (!(node instanceof asn1js.Integer))
    throw new SiegelpostError('SMIME_MALFORMED', { what, reason: 'expected an INTEGER' })
  return node.valueBlock.valueDec
}

export function isContext(node: asn1js.AsnType | undefined, tag: number): boolean {
  return node !== undefined && node.idBlock.tagClass === 3 && node.idBlock.tagNumber === tag
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** PEM blocks of a given label (or any label), decoded; strict base64 (truncated input is an error). */
export function pemBlocks(text: string, labels: readonly string[]): { label: string; der: Uint8Array }[] {
  const out: { label: string; der: Uint8Array }[] = []
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g
  for (const match of text.matchAll(re)) {
    const label = match[1]!
    if (!labels.includes(label)) continue
    const body = match[2]!.replace(/\s+/g, '')
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) {
      throw new SiegelpostError('SMIME_MALFORMED', { what: label, reason: 'bad base64' })
    }
    out.push({ label, der: new Uint8Array(Buffer.from(body, 'base64')) })
  }
  return out
}

export function toPem(label: string, der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? []
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}

/** A DER TLV from a tag byte and already-encoded contents: for structures whose bytes must stay exact (signed attributes). */
export function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const body = concat(contents)
  const n = body.length
  let length: number[]
  if (n < 0x80) length = [n]
  else {
    const bytes: number[] = []
    for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff)
    length = [0x80 | bytes.length, ...bytes]
  }
  return concat([new Uint8Array([tag, ...length]), body])
}

/** DER SET OF: elements sorted by their encodings (X.690 §11.6). */
export function derSetOf(elements: Uint8Array[], tag = 0x31): Uint8Array {
  const sorted = [...elements].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
  return tlv(tag, ...sorted)
}

/** The exact encoded bytes of a parsed node as they were in the input. */
export function rawOf(node: asn1js.AsnType): Uint8Array {
  return new Uint8Array(node.valueBeforeDecodeView)
}
