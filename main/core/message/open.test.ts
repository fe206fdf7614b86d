import { describe, expect, it } from 'vitest'
import { formatMessage, reason, type ErrorCode } from '../errors/index.ts'
import type { StoredKey } from '../keys/stored-key.ts'
import { limits } from '../limits.ts'
import { decodeBody, type MimePart } from '../mime/parse.ts'
import type { PolicyRule } from '../policy/policy-settings.ts'
import { localizeDocument, openMessage } from './open.ts'
import type { DecryptOutcome, MessageTechnology, OpenContext, SignatureCheck } from './technology.ts'
import { warning, warningTable } from './verdict.ts'

/**
 * open.ts against a fake message technology: the crypto is replaced by parts that say what the
 * technology would have found, so every verdict path of the neutral layer is driven directly.
 *
 * - `application/x-fake-encrypted; mode=ok|cbc|fail`: its body is the decrypted entity.
 * - `multipart/signed; protocol="application/x-fake-signature"`: the signature part is JSON
 *   `{ result, signer, created, code, revoked }` (what the technology's check returned).
 */

interface FakeSignature {
  result: SignatureCheck['result']
  signer?: string
  created?: string
  code?: ErrorCode
  revoked?: boolean
}

const keyFor = (email: string, revoked = false): StoredKey => ({
  id: email,
  fingerprint: Buffer.from(email).toString('hex').toUpperCase(),
  technology: 'smime',
  name: email,
  emails: [email],
  hasSecret: false,
  acceptance: 'unverified',
  created: '2026-01-01T00:00:00Z',
  expires: null,
  flags: { revoked, unusableReason: null },
  usage: ['sign'],
  material: {},
})

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8')

const fake: MessageTechnology = {
  technology: 'smime',
  isEncrypted: (part) => part.contentType.type === 'application/x-fake-encrypted',
  isSigned: (part) =>
    part.contentType.type === 'multipart/signed' &&
    part.contentType.params.protocol === 'application/x-fake-signature' &&
    part.children.length >= 2,
  async decrypt(part): Promise<DecryptOutcome> {
    const mode = part.contentType.params.mode ?? 'ok'
    if (mode === 'fail') return { ok: false, reason: reason('ENCRYPTION_NOT_FOR_YOU') }
    const content = decodeBody(part)
    return {
      ok: true,
      content,
      signatures: [],
      recipients: ['max@mandant.test'],
      isAuthenticated: mode !== 'cbc',
      cipher: mode === 'cbc' ? 'aes-256-cbc' : 'aes-256-gcm',
    }
  },
  async verify(part: MimePart) {
    const said = JSON.parse(text(decodeBody(part.children[1]!))) as FakeSignature
    const key = said.result === 'unknown-key' || !said.signer ? null : keyFor(said.signer, said.revoked)
    const check: SignatureCheck = {
      result: said.result,
      key,
      keyId: said.signer ? 'ABCDEF0123456789' : '',
      created: said.created ? new Date(said.created) : null,
      reason: said.code
        ? reason(said.code)
        : said.result === 'unknown-key'
          ? reason('SIGNATURE_UNKNOWN_KEY', { keyId: 'ABCDEF0123456789' })
          : null,
    }
    return { content: part.children[0]!.raw, signatures: [check] }
  },
  keyFor: () => null,
  sign: () => Promise.reject(new Error('not in this test')),
  encrypt: () => Promise.reject(new Error('not in this test')),
}

const date = 'Wed, 25 Nov 2026 10:00:00 +0000'
const now = new Date('2026-11-25T12:00:00Z')

function mail(headers: string[], body: string[]): Uint8Array {
  return new TextEncoder().encode([...headers, '', ...body, ''].join('\r\n'))
}
const defaultHeaders = [
  'From: Anna Berater <anna@kanzlei.test>',
  'To: max@mandant.test',
  'Subject: Bescheid',
  `Date: ${date}`,
]

function signed(content: string[], signature: FakeSignature): string[] {
  return [
    'Content-Type: multipart/signed; protocol="application/x-fake-signature"; boundary="sig"',
    '',
    '--sig',
    ...content,
    '--sig',
    'Content-Type: application/x-fake-signature',
    '',
    JSON.stringify(signature),
    '--sig--',
  ]
}
const textEntity = (body: string) => ['Content-Type: text/plain; charset=utf-8', '', body]
const good = (extra: Partial<FakeSignature> = {}): FakeSignature => ({
  result: 'valid',
  signer: 'anna@kanzlei.test',
  created: '2026-11-25T09:59:58Z',
  ...extra,
})

/** A whole message whose top-level entity is `entity` (its first lines are its own header fields). */
function message(entity: string[], headers = defaultHeaders): Uint8Array {
  const blank = entity.indexOf('')
  return mail([...headers, 'MIME-Version: 1.0', ...entity.slice(0, blank)], entity.slice(blank + 1))
}
function encrypted(inner: string[], mode = 'ok'): string[] {
  return [`Content-Type: application/x-fake-encrypted; mode=${mode}`, '', ...inner]
}

async function open(bytes: Uint8Array, context: Partial<OpenContext> = {}) {
  return (await openMessage(bytes, [fake], { keys: [], now, ...context })).document
}
const codes = (document: Awaited<ReturnType<typeof open>>) => document.security.warnings.map((w) => w.code)

describe('open: encryption verdicts', () => {
  it('a plain message: none, no code, one unprotected text part, no warning', async () => {
    const document = await open(message(textEntity('Hallo')))
    expect(document.security.encryption).toMatchObject({ state: 'none', technology: null, code: null, reason: '' })
    expect(document.security.signature).toMatchObject({ state: 'none', code: null })
    expect(document.parts).toEqual([{ kind: 'text', encrypted: false, signed: false }])
    expect(document.security.warnings).toEqual([])
  })

  it('decrypted: encrypted with the recipients in params, every part encrypted', async () => {
    const document = await open(message(encrypted(textEntity('Geheim'))))
    expect(document.security.encryption).toMatchObject({
      state: 'encrypted',
      technology: 'smime',
      code: 'ENCRYPTION_DECRYPTED',
      params: { recipients: 'max@mandant.test' },
    })
    expect(document.text.trim()).toBe('Geheim')
    expect(document.parts).toEqual([{ kind: 'text', encrypted: true, signed: false }])
    expect(codes(document)).toEqual([])
  })

  it("failed: the technology's own reason code, nothing shown", async () => {
    const document = await open(message(encrypted(textEntity('Geheim'), 'fail')))
    expect(document.security.encryption).toMatchObject({
      state: 'failed',
      code: 'ENCRYPTION_NOT_FOR_YOU',
      reason: formatMessage('ENCRYPTION_NOT_FOR_YOU', 'en'),
    })
    expect(document.text).toBe('')
    expect(document.parts).toEqual([])
  })

  it('unauthenticated-encryption: CBC without a valid signature, not with one', async () => {
    expect(codes(await open(message(encrypted(textEntity('x'), 'cbc'))))).toEqual(['unauthenticated-encryption'])
    const covered = await open(message(encrypted(signed(textEntity('x'), good()), 'cbc')))
    expect(covered.security.signature.state).toBe('valid')
    expect(codes(covered)).toEqual([])
    const forged = await open(
      message(
        encrypted(
          signed(textEntity('x'), {
            result: 'invalid',
            signer: 'anna@kanzlei.test',
            code: 'SIGNATURE_CONTENT_CHANGED',
          }),
          'cbc',
        ),
      ),
    )
    expect(codes(forged)).toContain('unauthenticated-encryption')
  })
})

describe('open: signature verdicts', () => {
  it('valid: the signer is the only From address; encrypted and signed parts', async () => {
    const document = await open(message(encrypted(signed(textEntity('Bescheid anbei'), good()))))
    expect(document.security.signature).toMatchObject({
      state: 'valid',
      technology: 'smime',
      signer: 'anna@kanzlei.test',
      acceptance: 'unverified',
      code: 'SIGNATURE_VALID',
    })
    expect(document.parts).toEqual([{ kind: 'text', encrypted: true, signed: true }])
  })

  it("keeps the technology's own reason for a valid signature (e.g. the revocation evidence)", async () => {
    const checked = good({ code: 'SIGNATURE_VALID_REVOCATION_UNCHECKED' })
    const document = await open(message(signed(textEntity('x'), checked)))
    expect(document.security.signature).toMatchObject({ state: 'valid', code: 'SIGNATURE_VALID_REVOCATION_UNCHECKED' })
  })

  it('mismatch: the signer is not the sender (the one decision in message/verdict.ts)', async () => {
    const document = await open(message(signed(textEntity('x'), good({ signer: 'mallory@evil.test' }))))
    expect(document.security.signature).toMatchObject({
      state: 'mismatch',
      signer: 'mallory@evil.test',
      code: 'SIGNATURE_SIGNER_NOT_SENDER',
      params: { signer: 'mallory@evil.test', from: 'anna@kanzlei.test' },
    })
    expect(document.parts).toEqual([{ kind: 'text', encrypted: false, signed: false }])
  })

  it('mismatch: two From fields, even when the signer is one of them', async () => {
    const headers = ['From: anna@kanzlei.test', 'From: mallory@evil.test', `Date: ${date}`]
    const document = await open(message(signed(textEntity('x'), good()), headers))
    expect(document.security.signature).toMatchObject({
      state: 'mismatch',
      code: 'SIGNATURE_SEVERAL_SENDERS',
      params: { count: 2 },
    })
    expect(codes(document)).toContain('several-from')
  })

  it('unknown-key: the key id in params', async () => {
    const document = await open(
      message(
        signed(textEntity('x'), {
          result: 'unknown-key',
          created: '2026-11-25T10:00:00Z',
        }),
      ),
    )
    expect(document.security.signature).toMatchObject({
      state: 'unknown-key',
      signer: null,
      code: 'SIGNATURE_UNKNOWN_KEY',
      params: { keyId: 'ABCDEF0123456789' },
    })
  })

  it('a forged CMS (other content, several or no signers) is invalid with its reason, not unknown-key', async () => {
    for (const code of ['SIGNATURE_OTHER_CONTENT', 'SIGNATURE_SEVERAL_SIGNERS', 'SIGNATURE_NO_SIGNER'] as const) {
      const document = await open(message(signed(textEntity('x'), { result: 'invalid', code })))
      expect(document.security.signature).toMatchObject({ state: 'invalid', code, reason: formatMessage(code, 'en') })
    }
  })

  it('invalid: a bad signature by a known key names that key; a revoked key is invalid', async () => {
    const bad = await open(
      message(
        signed(textEntity('x'), {
          result: 'invalid',
          signer: 'anna@kanzlei.test',
          code: 'SIGNATURE_SHA1',
        }),
      ),
    )
    expect(bad.security.signature).toMatchObject({
      state: 'invalid',
      signer: 'anna@kanzlei.test',
      code: 'SIGNATURE_SHA1',
    })
    const revoked = await open(message(signed(textEntity('x'), good({ revoked: true }))))
    expect(revoked.security.signature).toMatchObject({ state: 'invalid', code: 'SIGNATURE_KEY_REVOKED' })
  })

  it('none: a signature around the ciphertext only, with its reason', async () => {
    const document = await open(message(signed(encrypted(textEntity('x')), good())))
    expect(document.security.encryption.state).toBe('encrypted')
    expect(document.security.signature).toMatchObject({
      state: 'none',
      technology: null,
      code: null,
    })
    expect(codes(document)).toContain('signature-only-ciphertext')
  })
})

describe('open: the Date gap (limits.signatureDateGapMs)', () => {
  const at = (offsetMs: number) => new Date(Date.parse(date) + offsetMs).toISOString()
  it('is a warning beyond the limit, in either direction, and the verdict stays valid', async () => {
    for (const offset of [-limits.signatureDateGapMs - 1000, limits.signatureDateGapMs + 1000]) {
      const document = await open(message(signed(textEntity('x'), good({ created: at(offset) }))))
      expect(document.security.signature.state).toBe('valid')
      expect(document.security.warnings).toEqual([
        {
          code: 'date-gap',
          params: { signed: at(offset), date: at(0) },
          text: formatMessage('WARNING_DATE_GAP', 'en', { signed: at(offset), date: at(0) }),
        },
      ])
    }
  })
  it('is no warning within the limit', async () => {
    const document = await open(message(signed(textEntity('x'), good({ created: at(-limits.signatureDateGapMs) }))))
    expect(codes(document)).toEqual([])
  })
})

describe('open: header warnings and fields', () => {
  it('from-display-address: an address in the display name that is not the sender', async () => {
    const document = await open(
      message(textEntity('x'), ['From: "chef@kanzlei.test" <mallory@evil.test>', `Date: ${date}`]),
    )
    expect(document.security.warnings).toEqual([
      expect.objectContaining({
        code: 'from-display-address',
        params: { shown: 'chef@kanzlei.test', address: 'mallory@evil.test' },
      }),
    ])
    expect(codes(await open(message(textEntity('x'), ['From: "anna@kanzlei.test" <anna@kanzlei.test>'])))).toEqual([])
  })

  it('several-from: no From address at all', async () => {
    expect(codes(await open(message(textEntity('x'), [`Date: ${date}`])))).toEqual(['several-from'])
  })

  it('sender-differs: a Sender field with another address', async () => {
    const document = await open(message(textEntity('x'), [...defaultHeaders, 'Sender: list@lists.test']))
    expect(document.security.warnings).toEqual([
      expect.objectContaining({
        code: 'sender-differs',
        params: { sender: 'list@lists.test', from: 'anna@kanzlei.test' },
      }),
    ])
    expect(document.headers.sender).toEqual(['list@lists.test'])
  })

  it('reply-to-differs: only for a signed or encrypted message', async () => {
    const headers = [...defaultHeaders, 'Reply-To: Anna <anna@evil.test>']
    expect(codes(await open(message(textEntity('x'), headers)))).toEqual([])
    const document = await open(message(signed(textEntity('x'), good()), headers))
    expect(codes(document)).toEqual(['reply-to-differs'])
    expect(document.headers.replyTo).toEqual(['anna@evil.test'])
    expect(codes(await open(message(encrypted(textEntity('x')), headers)))).toEqual(['reply-to-differs'])
  })

  it('lists the addresses of every To field, and Cc', async () => {
    const document = await open(
      message(textEntity('x'), [
        ...defaultHeaders,
        'To: "Eva" <eva@mandant.test>, paul@mandant.test',
        'Cc: buero@kanzlei.test',
      ]),
    )
    expect(document.headers).toMatchObject({
      to: ['max@mandant.test', 'eva@mandant.test', 'paul@mandant.test'],
      cc: ['buero@kanzlei.test'],
      replyTo: [],
      sender: [],
    })
  })
})

describe('open: parts and partial protection', () => {
  it('a partly protected mail: plain text beside an encrypted part left closed', async () => {
    const entity = [
      'Content-Type: multipart/mixed; boundary="mix"',
      '',
      '--mix',
      ...textEntity('Bitte öffnen Sie den Anhang.'),
      '--mix',
      ...encrypted(textEntity('Geheim')),
      '--mix',
      'Content-Type: application/pdf; name="a.pdf"',
      'Content-Disposition: attachment; filename="a.pdf"',
      '',
      '%PDF-1.7',
      '--mix--',
    ]
    const document = await open(message(entity))
    expect(document.parts).toEqual([
      { kind: 'text', encrypted: false, signed: false },
      { kind: 'not-opened', encrypted: true, signed: false },
      { kind: 'attachment', encrypted: false, signed: false },
    ])
    expect(document.security.encryption).toMatchObject({ state: 'none', code: null, reason: '' })
    expect(codes(document)).toEqual(['partly-protected', 'encrypted-part-not-opened'])
    expect(document.text).not.toContain('Geheim')
  })

  it('a signed part inside an unsigned message: partly protected, not signed', async () => {
    const entity = [
      'Content-Type: multipart/mixed; boundary="mix"',
      '',
      '--mix',
      ...textEntity('Zusatz'),
      '--mix',
      ...signed(textEntity('signiert'), good()),
      '--mix--',
    ]
    const document = await open(message(entity))
    expect(document.security.signature).toMatchObject({ state: 'none', code: null, reason: '' })
    expect(document.parts).toEqual([
      { kind: 'text', encrypted: false, signed: false },
      { kind: 'text', encrypted: false, signed: false },
    ])
    expect(codes(document)).toEqual(['partly-protected'])
  })

  it('html and attachments keep their kind and order', async () => {
    const entity = [
      'Content-Type: multipart/mixed; boundary="mix"',
      '',
      '--mix',
      'Content-Type: text/html',
      '',
      '<p>Hallo</p>',
      '--mix',
      'Content-Type: application/octet-stream; name="x.bin"',
      '',
      'x',
      '--mix--',
    ]
    const document = await open(message(encrypted(signed(entity, good()))))
    expect(document.parts).toEqual([
      { kind: 'html', encrypted: true, signed: true },
      { kind: 'attachment', encrypted: true, signed: true },
    ])
    expect(codes(document)).toEqual([])
  })
})

describe('open: transport and sender history', () => {
  const plainHop = 'Received: from mx.kanzlei.test by mx.mandant.test with ESMTP id 1; Wed, 25 Nov 2026 10:00:01 +0000'
  const rule = (target: string, require: PolicyRule['require']): PolicyRule => ({
    target,
    require,
    by: null,
    note: null,
    date: '2026-01-01',
  })

  it("plaintext-hop: a hop without TLS when a rule requires TLS for the sender's domain", async () => {
    const bytes = message(textEntity('x'), [plainHop, ...defaultHeaders])
    const document = await open(bytes, { policyRules: [rule('kanzlei.test', 'requiretls')] })
    expect(document.security.warnings).toEqual([
      expect.objectContaining({
        code: 'plaintext-hop',
        params: { hop: 'from mx.kanzlei.test by mx.mandant.test', domain: 'kanzlei.test' },
      }),
    ])
    expect(codes(await open(bytes, { policyRules: [rule('other.test', 'requiretls')] }))).toEqual([])
    expect(codes(await open(bytes, { policyRules: [rule('kanzlei.test', 'e2e')] }))).toEqual([])
    expect(codes(await open(bytes))).toEqual([])
  })

  it('sender-key-changed and first-contact come from the sender history hook', async () => {
    const asked: unknown[] = []
    const document = await open(message(signed(textEntity('x'), good())), {
      senderHistory: (sender) => {
        asked.push({ address: sender.address, signer: sender.signer?.emails })
        return [
          warning('sender-key-changed', { address: 'anna@kanzlei.test' }),
          warning('first-contact', { address: 'anna@kanzlei.test' }),
        ]
      },
    })
    expect(asked).toEqual([{ address: 'anna@kanzlei.test', signer: ['anna@kanzlei.test'] }])
    expect(codes(document)).toEqual(['sender-key-changed', 'first-contact'])
  })
})

describe('open: language', () => {
  it('makes every text from its code in the chosen language; localizeDocument switches it', async () => {
    const bytes = message(encrypted(signed(textEntity('x'), good({ created: '2026-11-20T10:00:00Z' })), 'cbc'), [
      ...defaultHeaders,
      'Reply-To: x@evil.test',
    ])
    const de = await open(bytes, { lang: 'de' })
    expect(de.security.signature.reason).toBe(formatMessage('SIGNATURE_VALID', 'de'))
    const decrypted = formatMessage('ENCRYPTION_DECRYPTED', 'de', { recipients: 'max@mandant.test' })
    expect(de.security.encryption.reason).toBe(decrypted)
    type View = { code: keyof typeof warningTable; params: Record<string, string | number> }
    const textOf = (lang: 'de' | 'en') => (view: View) => formatMessage(warningTable[view.code], lang, view.params)
    for (const view of de.security.warnings) expect(view.text).toBe(textOf('de')(view))
    expect(codes(de)).toEqual(['reply-to-differs', 'date-gap'])
    const en = localizeDocument(de, 'en')
    expect(en.security.signature.reason).toBe(formatMessage('SIGNATURE_VALID', 'en'))
    expect(en.security.warnings.map((w) => w.text)).toEqual(en.security.warnings.map(textOf('en')))
  })
})
