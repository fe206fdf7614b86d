import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { validatePath } from '../../main/core/smime/path-validation/index.ts'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt, repoRoot, runCli } from '../helpers/run-cli.ts'

/**
 * NIST PKITS (2011) through our RFC 5280 validator: every case of
 * ../shared/corpora/nist-pkits/PKITS-CASES-from-pkijs-spec.json must reach its expected verdict.
 * Cases we do not pass yet are listed in `knownGaps` and run as expected failures, so a fix
 * shows up (the test then fails until the case is removed from the list).
 */
const corpus = join(repoRoot, '..', 'shared', 'corpora', 'nist-pkits')
const fixtures = join(corpus, 'tests', 'fixtures', 'nist_pkits')
const hasCorpus = existsSync(join(corpus, 'PKITS-CASES-from-pkijs-spec.json'))

interface PkitsCase {
  name: string
  trusted: string[]
  certs: string[]
  crls: string[]
  expect: boolean
  vp: {
    initialPolicySet?: string[]
    initialExplicitPolicy?: boolean
    initialPolicyMappingInhibit?: boolean
    initialInhibitPolicy?: boolean
  } | null
}

/** Cases we do not pass yet (run as expected failures so a fix shows up). None at the moment. */
const knownGaps = new Set<string>([])

/**
 * Where the case file (taken from PKI.js's spec) contradicts RFC 5280 and PKITS itself. 4.8.6: the
 * CA asserts requireExplicitPolicy 0 and the EE only NIST-test-policy-1, so with
 * initial-policy-set {NIST-test-policy-2} the user-constrained policy set is empty while an
 * explicit policy is required (§6.1.5 (g)); PKITS §4.8.6 says this path must not validate.
 */
const corrections = new Map<string, boolean>([
  ['4.8.6 Overlapping Policies Test6 / with initial-policy-set = {NIST-test-policy-2}', false],
])

const cases: PkitsCase[] = hasCorpus
  ? JSON.parse(readFileSync(join(corpus, 'PKITS-CASES-from-pkijs-spec.json'), 'utf8'))
  : []
const read = (kind: 'certs' | 'crls', file: string) => new Uint8Array(readFileSync(join(fixtures, kind, file)))
// PKITS 2011 certificates are valid until 2030; CRLs' nextUpdate likewise.
const at = new Date('2026-06-01T00:00:00Z')

function validateCase(c: PkitsCase) {
  return validatePath({
    target: read('certs', c.certs[c.certs.length - 1]!),
    untrusted: c.certs.slice(0, -1).map((f) => read('certs', f)),
    anchors: c.trusted.map((f) => read('certs', f)),
    crls: c.crls.map((f) => read('crls', f)),
    at,
    initialPolicySet: c.vp?.initialPolicySet ?? [],
    initialExplicitPolicy: Boolean(c.vp?.initialExplicitPolicy),
    initialPolicyMappingInhibit: Boolean(c.vp?.initialPolicyMappingInhibit),
    initialAnyPolicyInhibit: Boolean(c.vp?.initialInhibitPolicy),
  })
}

describe.skipIf(skipUnless('NIST PKITS corpus', hasCorpus, 'put the corpora in ../shared/corpora (see the README)'))(
  'NIST PKITS via RFC 5280 path validation',
  () => {
    it('has all 249 cases', () => {
      expect(cases).toHaveLength(249)
      for (const name of [...knownGaps, ...corrections.keys()]) expect(cases.some((c) => c.name === name)).toBe(true)
    })

    for (const c of cases) {
      const test = knownGaps.has(c.name) ? it.fails : it
      const expected = corrections.get(c.name) ?? c.expect
      test(`${c.name} → ${expected ? 'valid' : 'invalid'}`, () => {
        const result = validateCase(c)
        expect(result.valid, result.reason).toBe(expected)
      })
    }

    describe('through `siegelpost certs validate --json`', () => {
      beforeAll(assertBuilt)
      const sample = [
        '4.1.1 Valid Signatures Test1',
        '4.6.5 Invalid pathLenConstraint Test5',
        '4.13.1 Valid DN nameConstraints Test1',
        '4.4.1 Missing CRL Test1',
        '4.8.1 All Certificates Same Policy Test1 / with initial-explicit-policy set and initial-policy-set = {NIST-test-policy-1}',
        '4.1.4 Valid DSA Signatures Test4',
      ]
      it.each(sample)('%s', (name) => {
        const c = cases.find((x) => x.name === name)!
        const args = [
          'certs',
          'validate',
          join(fixtures, 'certs', c.certs[c.certs.length - 1]!),
          '--json',
          '--at',
          at.toISOString(),
        ]
        for (const f of c.trusted) args.push('--anchor', join(fixtures, 'certs', f))
        for (const f of c.certs.slice(0, -1)) args.push('--untrusted', join(fixtures, 'certs', f))
        for (const f of c.crls) args.push('--crl', join(fixtures, 'crls', f))
        for (const oid of c.vp?.initialPolicySet ?? []) args.push('--initial-policy', oid)
        if (c.vp?.initialExplicitPolicy) args.push('--explicit-policy')
        const run = runCli(args, { env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus' } })
        expect(run.status, run.stderr).toBe(0)
        const result = JSON.parse(run.stdout) as { valid: boolean; reason: string; path: string[] }
        expect(Object.keys(result).sort()).toEqual(['path', 'reason', 'valid'])
        expect(result.valid, result.reason).toBe(c.expect)
      })
    })
  },
)
