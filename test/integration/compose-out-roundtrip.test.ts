// `compose --out` through the built CLI at the sizes where the large-message path's chunking goes wrong — the
// streaming threshold (limits.streamFromBytes) ± 1 and a source chunk (1 MiB) plus one past it — decrypted and
// verified by openssl and gpg, the attachment byte-identical. The chunks of this path are freed as soon as each step
// is done with them (the writer's after each write, the S/MIME worker's input once encrypted and its cipher output
// once encoded): a buffer freed too early reads as empty and would cut the message short.
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { limits } from '../../main/core/limits.ts'
import { decodeBody, parseMime } from '../../main/core/mime/parse.ts'
import { GpgHome, hasGpg } from '../helpers/gpg.ts'
import { passphraseProfileCli } from '../helpers/large-message.ts'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt, runCli } from '../helpers/run-cli.ts'
import { exportAliceP12, hasOpenssl, makeTestPki, openssl, type TestPki } from '../helpers/smime-pki.ts'

const from = limits.streamFromBytes
const sizes = [from - 1, from, from + 1, from + 1024 * 1024 + 1]
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

describe.skipIf(skipUnless('openssl and GnuPG (gpg)', hasOpenssl && hasGpg, 'apt-get install openssl gnupg'))(
  'compose --out around the streaming threshold, read by openssl and gpg',
  () => {
    let dir: string
    let pki: TestPki
    let gpg: GpgHome
    let cli: (args: string[], env?: Record<string, string>) => ReturnType<typeof runCli>

    beforeAll(async () => {
      assertBuilt()
      dir = await mkdtemp(join(tmpdir(), 'sp-compose-out-'))
      pki = makeTestPki(dir)
      gpg = new GpgHome()
      writeFileSync(join(dir, 'pw'), 'Kanzlei 2026!\n')
      cli = passphraseProfileCli(dir)
      exportAliceP12(pki, join(dir, 'alice.p12'), 'Kanzlei 2026!')
      const gerd = gpg.generate('Gerd Gnupg <gerd@mandant.test>', 'gerd-geheim')
      writeFileSync(join(dir, 'gerd.asc'), gpg.ok(['--armor', '--export', gerd]).stdout)
      for (const args of [
        ['certs', 'trust', pki.ca.certFile],
        ['keys', 'import', join(dir, 'alice.p12'), '--passphrase-file', join(dir, 'pw')],
        ['keys', 'import', pki.fran.certFile],
        ['keys', 'import', join(dir, 'gerd.asc')],
      ]) {
        const run = cli(args)
        expect(run.status, run.stderr).toBe(0)
      }
      const generated = cli(['keys', 'generate', '--name', 'Anna', '--email', 'anna@kanzlei.test', '--json'])
      expect(generated.status, generated.stderr).toBe(0)
      const anna = (JSON.parse(generated.stdout) as { fingerprint: string }[])[0]!.fingerprint
      expect(cli(['keys', 'export', anna, '--public', '--out', join(dir, 'anna.asc')]).status).toBe(0)
      gpg.ok(['--import', join(dir, 'anna.asc')])
    }, 120_000)

    afterAll(async () => {
      gpg?.close()
      await rm(dir, { recursive: true, force: true })
    })

    const compose = (fromAddress: string, to: string, encrypt: string, attachment: Uint8Array) => {
      writeFileSync(join(dir, 'anlage.pdf'), attachment)
      const out = join(dir, `${encrypt}-${fromAddress}.eml`)
      const args = ['compose', '--from', fromAddress, '--to', to, '--attach', join(dir, 'anlage.pdf')]
      const run = cli([...args, '--encrypt', encrypt, '--sign', '--out', out])
      expect(run.status, run.stderr).toBe(0)
      return out
    }

    it('S/MIME: openssl cms decrypts and verifies, the attachment byte-identical, at every size', () => {
      for (const size of sizes) {
        const attachment = randomBytes(size)
        const out = compose('alice@example.org', 'fran@example.org', 'smime', attachment)
        const decrypt = ['cms', '-decrypt', '-in', out, '-recip', pki.fran.certFile, '-inkey', pki.fran.keyFile]
        openssl([...decrypt, '-out', 'signed.eml'], { cwd: dir })
        const verify = ['cms', '-verify', '-in', 'signed.eml', '-CAfile', pki.ca.certFile, '-purpose', 'smimesign']
        openssl([...verify, '-out', 'inner.eml'], { cwd: dir })
        const inner = parseMime(readFileSync(join(dir, 'inner.eml')))
        expect(sha256(decodeBody(inner.children[1]!)), `size ${size}`).toBe(sha256(attachment))
      }
    }, 120_000)

    it('OpenPGP: gpg decrypts with a good signature, the attachment byte-identical, at every size', () => {
      for (const size of sizes) {
        const attachment = randomBytes(size)
        const out = compose('anna@kanzlei.test', 'gerd@mandant.test', 'openpgp', attachment)
        writeFileSync(join(dir, 'payload.asc'), decodeBody(parseMime(readFileSync(out)).children[1]!))
        const decrypted = gpg.ok([
          ...['--passphrase', 'gerd-geheim', '--trust-model', 'always'],
          ...['-o', join(dir, 'inner.eml'), '--yes', '--decrypt', join(dir, 'payload.asc')],
        ])
        expect(
          decrypted.statusLines.some((line) => line.startsWith('GOODSIG')),
          `size ${size}`,
        ).toBe(true)
        expect(decrypted.statusLines, `size ${size}`).toContain('DECRYPTION_OKAY')
        const inner = parseMime(readFileSync(join(dir, 'inner.eml')))
        expect(sha256(decodeBody(inner.children[1]!)), `size ${size}`).toBe(sha256(attachment))
      }
    }, 120_000)

    it('signed only (no end-to-end encryption): openssl and gpg verify the signature, the attachment byte-identical', () => {
      for (const size of sizes) {
        const attachment = randomBytes(size)
        const smime = compose('alice@example.org', 'fran@example.org', 'none', attachment)
        const verify = ['cms', '-verify', '-in', smime, '-CAfile', pki.ca.certFile, '-purpose', 'smimesign']
        openssl([...verify, '-out', 'inner.eml'], { cwd: dir })
        const inner = parseMime(readFileSync(join(dir, 'inner.eml')))
        expect(sha256(decodeBody(inner.children[1]!)), `S/MIME size ${size}`).toBe(sha256(attachment))

        const signed = parseMime(readFileSync(compose('anna@kanzlei.test', 'gerd@mandant.test', 'none', attachment)))
        expect(signed.contentType.type, `OpenPGP size ${size}`).toBe('multipart/signed')
        writeFileSync(join(dir, 'signed-part.eml'), signed.children[0]!.raw)
        writeFileSync(join(dir, 'signature.asc'), decodeBody(signed.children[1]!))
        const verified = gpg.ok(['--verify', join(dir, 'signature.asc'), join(dir, 'signed-part.eml')])
        expect(
          verified.statusLines.some((line) => line.startsWith('GOODSIG')),
          `OpenPGP size ${size}`,
        ).toBe(true)
        expect(sha256(decodeBody(signed.children[0]!.children[1]!)), `OpenPGP size ${size}`).toBe(sha256(attachment))
      }
    }, 180_000)
  },
)
