import fc from 'fast-check'
import { encode as qpEncode, wrap as qpWrap } from 'libqp'
import { describe, expect, it } from 'vitest'
import {
  attachmentEntity,
  base64Lines,
  entity,
  headerLine,
  multipart,
  structuredValue,
} from '../../main/core/mime/build.ts'
import { memorySource } from '../../main/core/mime/byte-source.ts'
import {
  decodeBody,
  decodedBodyChunks,
  decodedHeader,
  decodeText,
  fileNameOf,
  parseMime,
  type MimePart,
} from '../../main/core/mime/parse.ts'

/**
 * Properties of the MIME layer (main/core/mime): whatever tree build.ts writes, parse.ts reads back
 * as the same tree with the same texts (in several charsets and both transfer encodings), the same
 * attachment bytes and names, and the same header values, in memory and from a byte source alike.
 */
type Leaf =
  | {
      kind: 'text'
      text: string
      charset: 'utf-8' | 'iso-8859-1' | 'utf-16le'
      encoding: 'base64' | 'quoted-printable'
    }
  | { kind: 'file'; name: string; type: string; bytes: Uint8Array }
type Tree = Leaf | { kind: 'multipart'; subtype: 'mixed' | 'alternative' | 'related'; children: Tree[] }

// Latin-1 without the C1 range: TextDecoder('iso-8859-1') is windows-1252 (WHATWG), which maps 0x80–0x9F elsewhere.
const latin1Char = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }))
  .map((c) => String.fromCharCode(c))
const textLine = (chars: fc.Arbitrary<string>) => fc.array(chars, { maxLength: 90 }).map((cs) => cs.join(''))
const body = (chars: fc.Arbitrary<string>) =>
  fc.array(textLine(chars), { minLength: 1, maxLength: 6 }).map((lines) => lines.join('\n'))
// Printable text: no control characters (code points below U+0020 and U+007F).
const isPrintable = (c: string) => [...c].every((ch) => ch.codePointAt(0)! >= 0x20 && ch.codePointAt(0) !== 0x7f)
const unicodeChar = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }).filter(isPrintable)

const textLeaf: fc.Arbitrary<Leaf> = fc.oneof(
  fc.record({
    kind: fc.constant('text' as const),
    text: body(unicodeChar),
    charset: fc.constant('utf-8' as const),
    encoding: fc.constantFrom('base64' as const, 'quoted-printable' as const),
  }),
  // UTF-16 text goes base64 in MIME (RFC 2781 §4.1): its line breaks are not the bytes CR LF.
  fc.record({
    kind: fc.constant('text' as const),
    text: body(unicodeChar),
    charset: fc.constant('utf-16le' as const),
    encoding: fc.constant('base64' as const),
  }),
  fc.record({
    kind: fc.constant('text' as const),
    text: body(latin1Char),
    charset: fc.constant('iso-8859-1' as const),
    encoding: fc.constantFrom('base64' as const, 'quoted-printable' as const),
  }),
)
const fileName = fc
  .array(unicodeChar, { minLength: 1, maxLength: 40 })
  .map((cs) => cs.join('').trim())
  .filter((n) => n.length > 0)
const fileLeaf: fc.Arbitrary<Leaf> = fc.record({
  kind: fc.constant('file' as const),
  name: fileName,
  type: fc.constantFrom('application/pdf', 'application/octet-stream', 'image/png'),
  bytes: fc.uint8Array({ maxLength: 3000 }),
})

const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    textLeaf,
    fileLeaf,
    fc.record({
      kind: fc.constant('multipart' as const),
      subtype: fc.constantFrom('mixed' as const, 'alternative' as const, 'related' as const),
      children: fc.array(tie('tree'), { minLength: 1, maxLength: 4 }),
    }),
  ),
})).tree

const encodeText = (text: string, charset: string) =>
  Buffer.from(text.replace(/\n/g, '\r\n'), charset === 'utf-8' ? 'utf8' : charset === 'utf-16le' ? 'utf16le' : 'latin1')

function build(node: Tree): Uint8Array {
  if (node.kind === 'multipart') return multipart(node.subtype, {}, node.children.map(build))
  if (node.kind === 'file') return attachmentEntity(node.name, node.type, node.bytes)
  const bytes = encodeText(node.text, node.charset)
  const encoded =
    node.encoding === 'base64'
      ? base64Lines(bytes)
      : new TextEncoder().encode(qpWrap(qpEncode(bytes), 76).replace(/\r?\n/g, '\r\n'))
  return entity(
    [
      ['Content-Type', structuredValue('text/plain', { charset: node.charset })],
      ['Content-Transfer-Encoding', node.encoding],
    ],
    [encoded],
  )
}

function expectSame(part: MimePart, node: Tree) {
  if (node.kind === 'multipart') {
    expect(part.contentType.type).toBe(`multipart/${node.subtype}`)
    expect(part.children).toHaveLength(node.children.length)
    node.children.forEach((child, i) => expectSame(part.children[i]!, child))
    return
  }
  expect(part.children).toHaveLength(0)
  if (node.kind === 'text') {
    expect(part.contentType.params.charset).toBe(node.charset)
    expect(decodeText(part)).toBe(node.text)
    return
  }
  expect(part.contentType.type).toBe(node.type)
  expect(fileNameOf(part)).toBe(node.name)
  expect(Buffer.from(decodeBody(part))).toEqual(Buffer.from(node.bytes))
  expect(Buffer.concat([...decodedBodyChunks(part)])).toEqual(Buffer.from(node.bytes))
}

describe('MIME build → parse round trips', () => {
  it('reads back every tree, text, charset, attachment and file name it wrote, in memory and from a byte source', () => {
    fc.assert(
      fc.property(tree, (node) => {
        const bytes = build(node)
        expectSame(parseMime(bytes), node)
        expectSame(parseMime(memorySource(bytes)), node)
      }),
      { numRuns: Number(process.env.SIEGELPOST_PROPERTY_RUNS ?? 300) },
    )
  })

  const headerName = fc.stringMatching(/^X-[A-Za-z][A-Za-z0-9-]{0,20}$/)
  // Words that look like RFC 2047 encoded words must arrive as typed, not decoded.
  const lookalike = fc.constantFrom('=?utf-8?q?Hallo?=', '=?', '?=', '=?iso-8859-1?b?QUJD?=', '_', '=')
  const headerText = fc
    .array(fc.oneof(unicodeChar, fc.constant(' '), lookalike), { minLength: 1, maxLength: 120 })
    .map((cs) => cs.join('').replace(/\s+/g, ' ').trim())
    .filter((v) => v.length > 0)

  it('reads back every header value it wrote (RFC 2047 words, folding), whatever the set of fields', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(headerName, headerText), {
          minLength: 1,
          maxLength: 12,
          selector: ([name]) => name.toLowerCase(),
        }),
        (fields) => {
          const head = fields.map(([name, value]) => headerLine(name, value)).join('')
          const part = parseMime(new TextEncoder().encode(`${head}\r\nbody\r\n`))
          for (const [name, value] of fields) expect(decodedHeader(part, name)).toBe(value)
          expect(decodeText(part)).toBe('body\n')
        },
      ),
      { numRuns: Number(process.env.SIEGELPOST_PROPERTY_RUNS ?? 300) },
    )
  })
})
