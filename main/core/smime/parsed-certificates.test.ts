import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { hasOpenssl, makeTestPki } from '../../../test/helpers/smime-pki.ts'
import { skipUnless } from '../../../test/helpers/needs.ts'
import { certificatesFromFile, nameToString } from './certificate.ts'
import { toDer } from './der.ts'
import { ParsedCertificates } from './parsed-certificates.ts'
import { validatePath } from './path-validation/index.ts'
import { smimePurposeProblem } from './smime-purpose.ts'

const dir = mkdtempSync(join(tmpdir(), 'sp-parsed-certs-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))(
  'the parsed certificates of a message',
  () => {
    const pki = hasOpenssl ? makeTestPki(dir) : null
    const der = (file: string) => certificatesFromFile(readFileSync(file))[0]!

    it('parses each certificate once, whatever buffer its bytes arrive in', () => {
      const parsed = new ParsedCertificates()
      const alice = der(pki!.alice.certFile)
      const copy = Uint8Array.from(alice)
      const inLargerBuffer = new Uint8Array(alice.length + 10)
      inLargerBuffer.set(alice, 5)
      const first = parsed.parse(alice)
      expect(parsed.parse(copy)).toBe(first)
      expect(parsed.parse(inLargerBuffer.subarray(5, 5 + alice.length))).toBe(first)
      expect(parsed.parse(der(pki!.ca.certFile))).not.toBe(first)
      expect(parsed.der(first)).toBe(parsed.der(first))
      expect(Buffer.from(parsed.der(first)).equals(Buffer.from(toDer(first)))).toBe(true)
    })

    it('a damaged certificate fails on every ask (nothing is kept for it)', () => {
      const parsed = new ParsedCertificates()
      const damaged = der(pki!.alice.certFile).slice(0, 100)
      expect(() => parsed.parse(damaged)).toThrow()
      expect(() => parsed.parse(damaged)).toThrow()
    })

    it('path validation and the S/MIME purpose give the same answers with a shared parse as without', () => {
      const parsed = new ParsedCertificates()
      const alice = der(pki!.alice.certFile)
      const ca = der(pki!.ca.certFile)
      const at = new Date()
      for (const crls of [null, []]) {
        const input = { target: alice, untrusted: [ca], anchors: [ca], crls, at, revocationMode: 'soft' as const }
        expect(validatePath({ ...input, parsed })).toEqual(validatePath(input))
        expect(validatePath({ ...input, anchors: [], parsed })).toEqual(validatePath({ ...input, anchors: [] }))
      }
      const parse = (bytes: Uint8Array) => parsed.parse(bytes)
      expect(smimePurposeProblem(alice, [ca], 'sign', parse)).toBe(smimePurposeProblem(alice, [ca], 'sign'))
      expect(smimePurposeProblem(ca, [], 'sign', parse)).toBe(smimePurposeProblem(ca, [], 'sign'))
      expect(nameToString(parsed.parse(alice).subject)).toBe('CN=Alice Beraterin')
    })
  },
)
