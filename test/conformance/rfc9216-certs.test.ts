import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { certificatesFromFile } from '../../main/core/smime/certificate.ts'
import { validatePath } from '../../main/core/smime/path-validation/index.ts'
import { smimePurposeProblem } from '../../main/core/smime/smime-purpose.ts'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt, repoRoot, runCli } from '../helpers/run-cli.ts'

/** RFC 9216 example certificates validate as ../shared/corpora/rfc9216-certs/PROVENANCE.md says. */
const dir = join(repoRoot, '..', 'shared', 'corpora', 'rfc9216-certs', 'tests', 'fixtures', 'rfc9216')
const hasCorpus = existsSync(dir)
const rsaRoot = 'Sample_LAMPS_RSA_Certification_Authority.selfsigned.pem'
const edRoot = 'Sample_LAMPS_Ed25519_Certification_Authority.selfsigned.pem'
const rsaCross = 'Sample_LAMPS_RSA_Certification_Authority.crosssigned.pem'
const edCross = 'Sample_LAMPS_Ed25519_Certification_Authority.crosssigned.pem'
const rsaLeaves = [
  'alice@smime.example.sig.pem',
  'alice@smime.example.enc.pem',
  'bob@smime.example.sig.pem',
  'bob@smime.example.enc.pem',
]
const edLeaves = [
  'carlos@smime.example.sig.pem',
  'carlos@smime.example.enc.pem',
  'dana@smime.example.sig.pem',
  'dana@smime.example.enc.pem',
]
const at = new Date('2026-06-01T00:00:00Z')

type Row = [leaf: string, anchor: string, intermediate: string | null, valid: boolean]
const rows: Row[] = [
  ...rsaLeaves.map((leaf): Row => [leaf, rsaRoot, null, true]),
  ...edLeaves.map((leaf): Row => [leaf, edRoot, null, true]),
  ...edLeaves.map((leaf): Row => [leaf, rsaRoot, edCross, true]),
  ...rsaLeaves.map((leaf): Row => [leaf, edRoot, rsaCross, true]),
  ...edLeaves.map((leaf): Row => [leaf, rsaRoot, null, false]),
  ...rsaLeaves.map((leaf): Row => [leaf, edRoot, null, false]),
  ...[...rsaLeaves, ...edLeaves].map((leaf): Row => [leaf, leaf, null, false]),
]
const cert = (name: string) => certificatesFromFile(readFileSync(join(dir, name)))[0]!

describe.skipIf(skipUnless('RFC 9216 corpus', hasCorpus, 'put the corpora in ../shared/corpora (see the README)'))(
  'RFC 9216 example certificates',
  () => {
    it.each(rows)('%s with anchor %s via %s → valid=%s (--purpose smime)', (leaf, anchor, intermediate, valid) => {
      const untrusted = intermediate ? [cert(intermediate)] : []
      const path = validatePath({ target: cert(leaf), untrusted, anchors: [cert(anchor)], crls: null, at })
      const problem = path.valid ? smimePurposeProblem(cert(leaf), untrusted, 'any') : null
      expect(path.valid && problem === null, `${path.reason} ${problem ?? ''}`).toBe(valid)
    })

    describe('through siegelpost certs validate', () => {
      beforeAll(assertBuilt)
      it.each([rows[0]!, rows[8]!, rows[16]!])(
        '%s with anchor %s via %s → valid=%s',
        (leaf, anchor, intermediate, valid) => {
          const args = [
            'certs',
            'validate',
            join(dir, leaf),
            '--anchor',
            join(dir, anchor),
            '--purpose',
            'smime',
            '--json',
            '--at',
            at.toISOString(),
          ]
          if (intermediate) args.push('--untrusted', join(dir, intermediate))
          const run = runCli(args, { env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus' } })
          expect(run.status, run.stderr).toBe(0)
          expect(JSON.parse(run.stdout).valid).toBe(valid)
        },
      )
    })
  },
)
