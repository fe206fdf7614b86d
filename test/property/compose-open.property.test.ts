import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StoredKey } from '../../main/core/keys/stored-key.ts'
import { composeMessage, type ComposeInput } from '../../main/core/message/compose.ts'
import { openMessage } from '../../main/core/message/open.ts'
import { messageTechnologies } from '../../main/core/message/technologies.ts'
import { skipUnless } from '../helpers/needs.ts'
import { generatePair } from '../helpers/openpgp-fixtures.ts'
import { hasOpenssl, makeTestPki } from '../helpers/smime-pki.ts'
import { smimeVaultKeys } from '../helpers/smime-vault.ts'

/**
 * compose → open round trips with real keys (made once per file): whatever subject, text and
 * attachments go in, the recipient opens exactly them, encrypted and with a valid signature of the
 * sender, for OpenPGP (Curve25519) and S/MIME (RSA sender, EC P-256 recipient, made by OpenSSL).
 */
const runs = Number(process.env.SIEGELPOST_PROPERTY_RUNS ?? 25)
// Keys and certificates are made at the moment the test runs.
const now = () => new Date(Date.now() + 60_000)

const isPrintable = (c: string) => [...c].every((ch) => ch.codePointAt(0)! >= 0x20 && ch.codePointAt(0) !== 0x7f)
const char = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }).filter(isPrintable) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('ä', 'ß', '€', '=?', '?=', '=?utf-8?q?Hallo?=', '--', 'From ', '.', ' ', '\t', '"', ';'),
  },
)
const words = (max: number) => fc.array(char, { minLength: 1, maxLength: max }).map((cs) => cs.join(''))
const subject = words(80)
  .map((s) => s.replace(/\s+/g, ' ').trim())
  .filter((s) => s.length > 0)
const bodyText = fc.array(words(100), { minLength: 1, maxLength: 8 }).map((lines) => lines.join('\n'))
const attachment = fc.record({
  fileName: words(30)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s.length > 0),
  contentType: fc.constantFrom('application/pdf', 'application/octet-stream', 'text/csv'),
  bytes: fc.uint8Array({ maxLength: 4000 }),
})
const message = fc.record({
  subject,
  body: bodyText,
  attachments: fc.array(attachment, { maxLength: 3 }),
  mode: fc.constantFrom('encrypt+sign', 'sign', 'encrypt'),
})
type Message = typeof message extends fc.Arbitrary<infer T> ? T : never

async function roundTrip(
  input: Message,
  base: Pick<ComposeInput, 'from' | 'to' | 'encrypt'>,
  senderKeys: StoredKey[],
  recipientKeys: StoredKey[],
) {
  const encrypt = input.mode === 'sign' ? 'none' : base.encrypt
  const sign = input.mode !== 'encrypt'
  const composed = await composeMessage(
    { ...base, cc: [], subject: input.subject, body: input.body, attachments: input.attachments, encrypt, sign },
    { keys: senderKeys, now: now(), technologies: messageTechnologies },
  )
  const opened = await openMessage(composed.bytes, messageTechnologies, { keys: recipientKeys, now: now() })
  const document = opened.document
  expect(document.headers.subject).toBe(input.subject)
  expect(document.text).toBe(input.body.endsWith('\n') ? input.body : `${input.body}\n`)
  expect(document.attachments).toEqual(
    input.attachments.map((a) => ({
      filename: a.fileName,
      contentType: a.contentType,
      size: a.bytes.length,
      sha256: createHash('sha256').update(a.bytes).digest('hex'),
    })),
  )
  expect(opened.attachmentBytes.map((b) => Buffer.from(b))).toEqual(input.attachments.map((a) => Buffer.from(a.bytes)))
  expect(document.security.encryption.state).toBe(input.mode === 'sign' ? 'none' : 'encrypted')
  if (sign) expect(document.security.signature).toMatchObject({ state: 'valid', signer: base.from })
  else expect(document.security.signature.state).toBe('none')
  // An encrypted message never shows its subject, text or file names outside the encryption.
  if (input.mode !== 'sign') {
    const outside = Buffer.from(composed.bytes).toString('latin1')
    for (const secret of [input.body, ...input.attachments.map((a) => a.fileName)].filter((s) =>
      /^[\x20-\x7e]{12,}$/.test(s),
    ))
      expect(outside).not.toContain(secret)
  }
}

describe('compose → open round trips (OpenPGP)', () => {
  let advisorKeys: StoredKey[]
  let clientKeys: StoredKey[]
  beforeAll(async () => {
    const { advisor, client, clientPublic } = await generatePair(new Date())
    const { readKey } = await import('openpgp')
    const advisorPublic: StoredKey = {
      ...advisor,
      hasSecret: false,
      acceptance: 'verified',
      material: { armored: (await readKey({ armoredKey: String(advisor.material.armored) })).toPublic().armor() },
    }
    advisorKeys = [advisor, { ...clientPublic, acceptance: 'verified' }]
    clientKeys = [client, advisorPublic]
  })

  it('the recipient opens exactly the subject, text and attachments that were sent', async () => {
    await fc.assert(
      fc.asyncProperty(message, (input) =>
        roundTrip(
          input,
          { from: 'anna@kanzlei.test', to: ['max@mandant.test'], encrypt: 'openpgp' },
          advisorKeys,
          clientKeys,
        ),
      ),
      { numRuns: runs },
    )
  })
})

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))(
  'compose → open round trips (S/MIME)',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-property-smime-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))
    const pki = hasOpenssl ? makeTestPki(dir) : null

    it('the recipient opens exactly the subject, text and attachments that were sent', async () => {
      const { own, publicOnly, anchor } = smimeVaultKeys(pki!)
      const aliceVault = [own(pki!.alice), publicOnly(pki!.fran), ...anchor]
      const franVault = [own(pki!.fran), publicOnly(pki!.alice), ...anchor]
      await fc.assert(
        fc.asyncProperty(message, (input) =>
          roundTrip(
            input,
            { from: 'alice@example.org', to: ['fran@example.org'], encrypt: 'smime' },
            aliceVault,
            franVault,
          ),
        ),
        { numRuns: runs },
      )
    })
  },
)
