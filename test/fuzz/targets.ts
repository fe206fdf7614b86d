import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SiegelpostError } from '../../main/core/errors/index.ts'

/**
 * The fuzz targets: each parser that reads bytes from outside (mail, key files, the vault file) with
 * what counts as a correct refusal. Anything else thrown, a broken invariant, or a run over `slowMs`
 * is a finding. Seeds come from ../shared/corpora at run time (never copied into the repository)
 * plus a few made here.
 */
export interface FuzzTarget {
  name: string
  /** Source files (path fragments) whose block coverage is the target's own. */
  own: string[]
  /** Libraries whose coverage also guides the search (path fragments). */
  watch: string[]
  maxLength: number
  /** A run slower than this is a hang finding. */
  slowMs: number
  dictionary: string[]
  /** Loads the code under test (dynamic imports keep other targets' libraries out of the coverage). */
  load(): Promise<(input: Uint8Array) => unknown>
  seeds(): Promise<{ inputs: Uint8Array[]; missing: string[] }>
  /** A refusal the reader documents: the coded error or its own documented error type. */
  isExpected(error: unknown): boolean
}

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
/** ../shared/corpora as in CI; SIEGELPOST_CORPORA points elsewhere (a git worktree has no ../shared beside it). */
export const corporaRoot = process.env.SIEGELPOST_CORPORA ?? join(repoRoot, '..', 'shared', 'corpora')

/** Broken invariants are findings too. */
export class InvariantError extends Error {
  override readonly name = 'InvariantError'
}

export function invariant(condition: unknown, what: string): asserts condition {
  if (!condition) throw new InvariantError(what)
}

const coded = (error: unknown) => error instanceof SiegelpostError && error.kind !== 'bug'

/** Files under a corpus folder with one of the extensions, or a note that the folder is missing. */
function corpusFiles(folder: string, extensions: string[], missing: string[]): string[] {
  const root = join(corporaRoot, folder)
  if (!existsSync(root)) {
    missing.push(folder)
    return []
  }
  const out: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (extensions.some((ext) => name.toLowerCase().endsWith(ext))) out.push(path)
    }
  }
  walk(root)
  return out
}

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'))
const read = (path: string) => new Uint8Array(readFileSync(path))
const mailFolders = ['thunderbird-smime', 'thunderbird-openpgp', 'east-fake-mail-server']

function corpusMails(missing: string[], limit = 96 * 1024): Uint8Array[] {
  return mailFolders
    .flatMap((folder) => corpusFiles(folder, ['.eml', '.mail'], missing))
    .map(read)
    .filter((mail) => mail.length <= limit)
}

const selfMadeMails = [
  'From: a@b.test\r\nTo: c@d.test\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\r\nhallo\r\n',
  'Content-Type: multipart/mixed; boundary="b1"\r\n\r\npre\r\n--b1\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=FC=DFe=\r\n\r\n--b1\r\nContent-Type: application/octet-stream; name="a.bin"\r\nContent-Disposition: attachment; filename*=utf-8\'\'%C3%A4.bin\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\nAw==\r\n--b1--\r\nepilogue\r\n',
  'Content-Type: multipart/alternative; boundary=x\n\n--x\nContent-Type: text/html\n\n<p>a</p>\n--x\nContent-Type: multipart/related; boundary=y\n\n--y\n\nnested\n--y--\n--x--\n',
  'Content-Type: message/rfc822\r\n\r\nFrom: inner@x.test\r\nContent-Type: text/plain\r\n\r\ninner\r\n',
]

const mimeDictionary = [
  '\r\n',
  '\n',
  '\r\n\r\n',
  '--',
  '--b1',
  '--b1--',
  'Content-Type: ',
  'multipart/mixed; boundary=',
  'multipart/signed',
  'multipart/encrypted',
  'text/plain',
  'text/html',
  'message/rfc822',
  'application/pkcs7-mime',
  'boundary="',
  'charset=',
  'utf-16',
  'iso-2022-jp',
  'Content-Transfer-Encoding: base64\r\n',
  'quoted-printable',
  '=?utf-8?b?',
  '=?iso-8859-1?q?',
  '?=',
  '*0*=',
  "utf-8''",
  ';',
  '"',
  ' ',
  '\t',
  '=\r\n',
  '=3D',
  'filename=',
  'name=',
  'Content-Disposition: attachment',
  'hp-legacy-display=1',
  'protected-headers=v1',
]

const mime: FuzzTarget = {
  name: 'mime',
  own: ['/main/core/mime/'],
  watch: ['/node_modules/libmime/', '/node_modules/libqp/'],
  maxLength: 128 * 1024,
  slowMs: 2000,
  dictionary: mimeDictionary,
  async load() {
    const parse = await import('../../main/core/mime/parse.ts')
    const { memorySource } = await import('../../main/core/mime/byte-source.ts')
    type Part = ReturnType<typeof parse.parseMime>
    const shape = (part: Part): unknown => [
      part.path,
      part.contentType.type,
      part.headers.length,
      part.raw.length,
      part.body.length,
      part.children.map(shape),
    ]
    const visit = (part: Part, input: Uint8Array) => {
      invariant(
        part.bodyRange.start <= part.bodyRange.end && part.bodyRange.end <= input.length,
        `body range of part ${part.path} outside the input`,
      )
      const whole = parse.decodeBody(part)
      const chunks = Buffer.concat([...parse.decodedBodyChunks(part)])
      invariant(chunks.equals(whole), `part ${part.path}: chunked decoding differs from decodeBody`)
      if (part.contentType.type.startsWith('text/')) parse.decodeText(part)
      parse.decodedHeader(part, 'subject')
      parse.decodedHeader(part, 'from')
      parse.fileNameOf(part)
      parse.isAttachmentDisposition(part)
      for (const child of part.children) visit(child, input)
    }
    return (input) => {
      const inMemory = parse.parseMime(input)
      visit(inMemory, input)
      const fromSource = parse.parseMime(memorySource(input))
      invariant(
        JSON.stringify(shape(inMemory)) === JSON.stringify(shape(fromSource)),
        'the tree read from a byte source differs from the one read in memory',
      )
    }
  },
  async seeds() {
    const missing: string[] = []
    return { inputs: [...corpusMails(missing), ...selfMadeMails.map(bytes)], missing }
  },
  isExpected: coded,
}

const armor: FuzzTarget = {
  name: 'armor',
  own: ['/main/core/openpgp/armor.ts'],
  watch: [],
  maxLength: 64 * 1024,
  slowMs: 2000,
  dictionary: [
    '-----BEGIN PGP MESSAGE-----',
    '-----END PGP MESSAGE-----',
    '\r\n',
    '\n',
    '\n\n',
    'Version: x\n',
    'Comment: ',
    '=',
    '==',
    '=AAAA',
    ' ',
    '\t',
    '-----BEGIN PGP SIGNATURE-----',
  ],
  async load() {
    const { armorMessage, dearmorMessage, dearmorStream } = await import('../../main/core/openpgp/armor.ts')
    const streamed = async (input: Uint8Array, chunk: number) => {
      const out: Uint8Array[] = []
      const source = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < input.length; at += chunk) controller.enqueue(input.subarray(at, at + chunk))
          controller.close()
        },
      })
      const reader = source.pipeThrough(dearmorStream()).getReader()
      for (let next = await reader.read(); !next.done; next = await reader.read()) out.push(next.value)
      return Buffer.concat(out)
    }
    return async (input) => {
      dearmorMessage(input)
      let whole: Buffer | null = null
      try {
        whole = await streamed(input, input.length || 1)
      } catch (error) {
        if (!(error instanceof Error && error.message.startsWith('Misformed armored text'))) throw error
      }
      // The stream's answer must not depend on how the bytes are chunked.
      if (whole !== null)
        invariant((await streamed(input, 7)).equals(whole), 'dearmorStream gives other bytes for other chunk sizes')
      // Round trip: the input as a binary message, armored and read back both ways.
      const armored = armorMessage(input)
      invariant(
        Buffer.from(dearmorMessage(armored) ?? []).equals(Buffer.from(input)),
        'dearmorMessage(armorMessage(x)) !== x',
      )
      invariant((await streamed(armored, 13)).equals(Buffer.from(input)), 'dearmorStream(armorMessage(x)) !== x')
    }
  },
  async seeds() {
    const missing: string[] = []
    const files = corpusFiles('thunderbird-openpgp', ['.asc', '.eml'], missing)
      .map(read)
      .filter((file) => file.length <= 64 * 1024 && Buffer.from(file).includes('-----BEGIN PGP MESSAGE-----'))
    const { armorMessage } = await import('../../main/core/openpgp/armor.ts')
    return {
      inputs: [
        ...files,
        armorMessage(bytes('hello')),
        armorMessage(new Uint8Array(100).fill(7)),
        bytes('-----BEGIN PGP MESSAGE-----\n\nAAAA\n-----END PGP MESSAGE-----\n'),
      ],
      missing,
    }
  },
  isExpected: (error) =>
    error instanceof Error && !(error instanceof InvariantError) && error.message.startsWith('Misformed armored text'),
}

/** DER of the S/MIME parts (pkcs7-mime, pkcs7-signature) of the corpus mails, found with our MIME parser. */
async function cmsFromMails(missing: string[]): Promise<Uint8Array[]> {
  const { parseMime, decodeBody } = await import('../../main/core/mime/parse.ts')
  const out: Uint8Array[] = []
  const visit = (part: ReturnType<typeof parseMime>, depth: number) => {
    if (/pkcs7-(mime|signature)/.test(part.contentType.type)) {
      const der = decodeBody(part)
      if (der.length <= 64 * 1024) out.push(der)
    }
    if (depth < 8) part.children.forEach((child) => visit(child, depth + 1))
  }
  for (const mail of corpusMails(missing, 1024 * 1024)) {
    try {
      visit(parseMime(mail), 0)
    } catch {
      // a seed that does not parse is simply not used
    }
  }
  return out
}

const asn1Dictionary = [
  '\x30\x80',
  '\x00\x00',
  '\x30\x82',
  '\x31',
  '\x04\x81',
  '\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02',
  '\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x03',
  '\xa0\x80',
  '\xa0\x03\x02\x01\x02',
  '\x05\x00',
  '\x02\x01\x01',
  '\x17\x0d',
  '\x18\x0f',
  '\x03\x02\x05\xa0',
  '\x24\x80',
  '\x1e',
  '\x0c',
]

const cms: FuzzTarget = {
  name: 'cms',
  own: ['/main/core/smime/cms-', '/main/core/smime/der.ts', '/main/core/smime/certificate.ts'],
  watch: ['/node_modules/asn1js/', '/node_modules/pkijs/'],
  maxLength: 64 * 1024,
  slowMs: 3000,
  dictionary: asn1Dictionary,
  async load() {
    const { verifySignedData } = await import('../../main/core/smime/cms-signed.ts')
    const { decryptCms } = await import('../../main/core/smime/cms-envelope.ts')
    const { verifySmimeSignature } = await import('../../main/core/smime/cms-verify.ts')
    const { certificatesFromSignedData } = await import('../../main/core/smime/certificate.ts')
    const now = new Date('2026-06-01T00:00:00Z')
    const attempt = (run: () => unknown) => {
      try {
        run()
      } catch (error) {
        if (!coded(error)) throw error
      }
    }
    return (input) => {
      attempt(() => verifySignedData({ cms: input }))
      attempt(() => verifySignedData({ cms: input, detachedContent: bytes('Content-Type: text/plain\r\n\r\nx\r\n') }))
      attempt(() => decryptCms({ cms: input, identities: [] }))
      attempt(() => certificatesFromSignedData(input))
      // Documented: never throws for a bad message; a damaged one is `invalid` with the reason.
      const verdict = verifySmimeSignature({ cms: input, from: 'alice@example.org', anchors: [], crls: null, now })
      invariant(verdict.state !== 'valid', 'a signature without trust anchors came out valid')
    }
  },
  async seeds() {
    const missing: string[] = []
    return { inputs: await cmsFromMails(missing), missing }
  },
  isExpected: coded,
}

const certificate: FuzzTarget = {
  name: 'certificate',
  own: ['/main/core/smime/certificate.ts', '/main/core/smime/der.ts', '/main/core/smime/smime-keys.ts'],
  watch: ['/node_modules/asn1js/', '/node_modules/pkijs/'],
  maxLength: 32 * 1024,
  slowMs: 2000,
  dictionary: [
    ...asn1Dictionary,
    '-----BEGIN CERTIFICATE-----\n',
    '\n-----END CERTIFICATE-----\n',
    '-----BEGIN PKCS7-----\n',
    '\x06\x03\x55\x1d\x11',
    '\x06\x03\x55\x1d\x0f',
    '\x06\x03\x55\x1d\x13',
    '\x06\x03\x55\x1d\x25',
    '\x81\x0f',
    '\x01\x01\xff',
  ],
  async load() {
    const cert = await import('../../main/core/smime/certificate.ts')
    const { certificateToStoredKey } = await import('../../main/core/smime/smime-keys.ts')
    return (input) => {
      for (const der of cert.certificatesFromFile(input)) {
        const parsed = cert.parseCertificate(der)
        cert.emailsOf(parsed)
        cert.usageOf(parsed)
        cert.commonNameOf(parsed)
        cert.nameToString(parsed.issuer)
        cert.subjectKeyIdentifierOf(parsed)
        certificateToStoredKey(der, { chain: [] })
      }
    }
  },
  async seeds() {
    const missing: string[] = []
    const files = [
      ...corpusFiles('nist-pkits', ['.crt'], missing).filter((_, i) => i % 3 === 0),
      ...corpusFiles('rfc9216-certs', ['.pem'], missing),
      ...corpusFiles('east-fake-mail-server/certs', ['.pem'], missing).filter((path) => !path.endsWith('-key.pem')),
    ]
    return { inputs: files.map(read).filter((file) => file.length <= 32 * 1024), missing }
  },
  isExpected: coded,
}

const pkcs12: FuzzTarget = {
  name: 'pkcs12',
  own: ['/main/core/smime/pkcs12.ts', '/main/core/smime/der.ts'],
  watch: ['/node_modules/asn1js/'],
  maxLength: 16 * 1024,
  slowMs: 5000,
  dictionary: [
    ...asn1Dictionary,
    '\x02\x02\x08\x00',
    '\x02\x03\x09\x27\xc0',
    '\x06\x0b\x2a\x86\x48\x86\xf7\x0d\x01\x0c\x0a\x01\x02',
    '\x06\x0a\x2a\x86\x48\x86\xf7\x0d\x01\x0c\x01\x03',
  ],
  async load() {
    const { readPkcs12, looksLikePkcs12 } = await import('../../main/core/smime/pkcs12.ts')
    const password = bytes('nss')
    return (input) => {
      looksLikePkcs12(input)
      readPkcs12(input, password)
    }
  },
  async seeds() {
    const missing: string[] = []
    const files = corpusFiles('thunderbird-smime', ['.p12'], missing).map(read)
    // The same files without their MAC: readPkcs12 then reaches the bags, which a mutated MAC never lets it do.
    const asn1 = await import('asn1js')
    const withoutMac = files.flatMap((file) => {
      const parsed = asn1.fromBER(file)
      if (!(parsed.result instanceof asn1.Sequence) || parsed.result.valueBlock.value.length < 3) return []
      const [version, authSafe] = parsed.result.valueBlock.value
      return [new Uint8Array(new asn1.Sequence({ value: [version!, authSafe!] }).toBER(false))]
    })
    return { inputs: [...files, ...withoutMac], missing }
  },
  isExpected: coded,
}

const received: FuzzTarget = {
  name: 'received-trail',
  own: ['/main/core/transport/received-trail.ts', '/main/core/transport/message-headers.ts'],
  watch: [],
  maxLength: 64 * 1024,
  slowMs: 1000,
  dictionary: [
    'Received: ',
    '\r\n',
    '\r\n ',
    'from ',
    ' by ',
    ' with ESMTPS',
    ' with ESMTP',
    ' with LMTP',
    ' id ',
    ' for ',
    '; ',
    '(',
    ')',
    '((',
    '))',
    'using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)',
    '(TLS1.3) tls TLS_AES_128_GCM_SHA256',
    'version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384',
    ' bits=256 verify=NO',
  ],
  async load() {
    const { parseTransportTrail, transportTrailOf } = await import('../../main/core/transport/received-trail.ts')
    return (input) => {
      const trail = parseTransportTrail(Buffer.from(input))
      invariant(trail.hops.length <= 64, 'more hops than the limit')
      const again = transportTrailOf([Buffer.from(input).toString('latin1')])
      invariant(['yes', 'no', 'unknown'].includes(again.tls), 'tls is not yes/no/unknown')
    }
  },
  async seeds() {
    const missing: string[] = []
    const headersOf = (mail: Uint8Array) => {
      const text = Buffer.from(mail).toString('latin1')
      const end = text.search(/\r?\n\r?\n/)
      return bytes(end >= 0 ? text.slice(0, end + 2) : text)
    }
    const selfMade = [
      'Received: from mail.kanzlei.test (mail.kanzlei.test [192.0.2.1])\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\r\n\tby mx.mandant.test (Postfix) with ESMTPS id 4A; Mon, 1 Jun 2026 10:00:00 +0200\r\n\r\n',
      'Received: from [192.0.2.7] (helo=x) by mx.example with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) id 1; Mon, 1 Jun 2026\r\nReceived: from a by b with SMTP; x\r\n\r\n',
      'Received: from x (x [1.2.3.4]) by y (8.17/8.17) with ESMTP id z (version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 bits=256 verify=NO); Tue\r\n\r\n',
    ]
    return { inputs: [...corpusMails(missing).map(headersOf), ...selfMade.map(bytes)], missing }
  },
  isExpected: () => false,
}

const messageHeaders: FuzzTarget = {
  name: 'message-headers',
  own: ['/main/core/transport/message-headers.ts'],
  watch: ['/node_modules/nodemailer/lib/addressparser/'],
  maxLength: 64 * 1024,
  slowMs: 1000,
  dictionary: [
    'From: ',
    'To: ',
    'Cc: ',
    'Bcc: ',
    'Resent-Bcc: ',
    '\r\n',
    '\r\n\t',
    '\n\n',
    '<',
    '>',
    '@',
    ',',
    ';',
    '"',
    '(',
    ')',
    ':',
    'a@b.test',
    'group: x@y.test;',
    'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"',
    'application/pkcs7-mime; smime-type=enveloped-data',
  ],
  async load() {
    const headers = await import('../../main/core/transport/message-headers.ts')
    return (input) => {
      const raw = Buffer.from(input)
      headers.readHeaderFields(raw)
      const stripped = headers.withoutBcc(raw)
      invariant(
        !headers.readHeaderFields(stripped).has('bcc') && !headers.readHeaderFields(stripped).has('resent-bcc'),
        'a Bcc field survived withoutBcc',
      )
      invariant(headers.withoutBcc(stripped).equals(stripped), 'withoutBcc is not idempotent')
      headers.readMessageHeaders(raw, 'fuzz.eml')
    }
  },
  async seeds() {
    const missing: string[] = []
    const selfMade = [
      'From: "Ä" <a@b.test>\r\nTo: x@y.test, "q,r" <q@r.test>\r\nBcc: z@y.test,\r\n w@y.test\r\nSubject: s\r\n\r\nBcc: body\r\n',
      'From: a@b.test\nTo: undisclosed-recipients:;\nResent-Bcc: c@d.test\n\nx',
    ]
    return { inputs: [...corpusMails(missing), ...selfMade.map(bytes)], missing }
  },
  isExpected: coded,
}

export const fuzzTargets: readonly FuzzTarget[] = [mime, armor, cms, certificate, pkcs12, received, messageHeaders]
