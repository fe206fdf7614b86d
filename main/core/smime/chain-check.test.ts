import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { skipUnless } from '../../../test/helpers/needs.ts'
import { hasOpenssl, makeIntermediateChain, type IntermediateChain } from '../../../test/helpers/smime-pki.ts'
import type { StoredKey } from '../keys/stored-key.ts'
import { missingIssuerOf } from './chain-check.ts'
import { smimeTechnology, trustAnchorEntries } from './smime-keys.ts'

const password = 'Kette 2026'

describe.skipIf(skipUnless('openssl', hasOpenssl, 'apt-get install openssl'))(
  'missing intermediate certificate',
  () => {
    let dir: string
    let files: IntermediateChain
    const read = async (name: string, passphrase: string | null = null): Promise<StoredKey[]> =>
      smimeTechnology.import(
        { bytes: new Uint8Array(readFileSync(join(dir, name))), fileName: name },
        { passphrase: passphrase === null ? null : new TextEncoder().encode(passphrase), now: new Date() },
      )
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'sp-chain-'))
      files = makeIntermediateChain(dir, password)
    })
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    it('names the issuer of a leaf that came without its intermediate', async () => {
      const [leaf] = await read(files.leaf)
      expect(missingIssuerOf(leaf!, [])).toBe('O=Siegelpost Test, CN=Test Mail CA 2026')
      const [own] = (await read(files.leafP12, password)).filter((key) => key.hasSecret)
      expect(missingIssuerOf(own!, [])).toBe('O=Siegelpost Test, CN=Test Mail CA 2026')
    })

    it('finds the chain once the .p7b from the CA is in the store', async () => {
      const [leaf] = await read(files.leaf)
      const bundle = await read(files.chainP7b)
      expect(bundle.map((key) => key.name).sort()).toEqual(['Test Mail CA 2026', 'Test Root CA 2026'])
      expect(missingIssuerOf(leaf!, bundle)).toBeNull()
      // With the intermediate alone the root is what is missing — still named, still the same fix.
      const intermediate = bundle.filter((key) => key.name === 'Test Mail CA 2026')
      expect(missingIssuerOf(leaf!, intermediate)).toBe('O=Siegelpost Test, CN=Test Root CA 2026')
    })

    it('an anchor ends the chain; an anchored root does not stand in for a missing intermediate', async () => {
      const [leaf] = await read(files.leaf)
      const anchor = (name: string) => trustAnchorEntries(new Uint8Array(readFileSync(join(dir, name))), name)
      expect(missingIssuerOf(leaf!, anchor(files.root))).toBe('O=Siegelpost Test, CN=Test Mail CA 2026')
      // A Kanzlei that anchors the CA's intermediate itself needs nothing above it.
      expect(missingIssuerOf(leaf!, anchor(files.intermediate))).toBeNull()
    })

    it('does not check CA certificates themselves; a root that did not sign the leaf completes nothing', async () => {
      const bundle = await read(files.chainP7b)
      for (const ca of bundle) expect(missingIssuerOf(ca, [])).toBeNull()
      const [leaf] = await read(files.leaf)
      const [root] = await read(files.root)
      expect(missingIssuerOf(leaf!, [root!])).toBe('O=Siegelpost Test, CN=Test Mail CA 2026')
    })
  },
)
