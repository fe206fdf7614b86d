import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatMessage, type ErrorCode, type Lang } from '../../main/core/errors/index.ts'
import type { OpenDocument } from '../../main/core/message/open.ts'
import { warningTable } from '../../main/core/message/verdict.ts'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt, repoRoot, runCli, runCliAsync } from '../helpers/run-cli.ts'
import { corpusDir as openpgpRoot, hasCorpus as hasOpenpgpCorpus, readRows } from './thunderbird-openpgp.ts'
import { readThunderbirdSmimeRows, smimeMessageBytes } from './thunderbird-smime-rows.ts'

/**
 * Every verdict text `open --lang de|en --json` prints over the Thunderbird S/MIME and OpenPGP
 * corpora is the text of its code in that language: `reason` of both verdicts (empty exactly when
 * the code is null) and every `warnings[].text`, whose code is one of CLI.md's kebab-case codes.
 * Run through the built CLI, as users and outside tests see it.
 */

const smimeRoot = join(repoRoot, '..', 'shared', 'corpora', 'thunderbird-smime')
const smimeDir = join(smimeRoot, 'mailnews', 'test', 'data', 'smime')
const hasSmimeCorpus = (() => {
  try {
    return readdirSync(smimeRoot).includes('EXPECTED-RESULTS-mailnews-smime.tsv')
  } catch {
    return false
  }
})()
const openpgpKeys = join(openpgpRoot, 'mail', 'test', 'browser', 'openpgp', 'data', 'keys')
const openpgpMail = join(openpgpRoot, 'mail', 'test', 'browser', 'openpgp', 'data', 'eml')

const noKeychain = { SIEGELPOST_NETWORK: 'loopback-only', SIEGELPOST_PROFILE: undefined, DBUS_SESSION_BUS_ADDRESS: '' }
const temp = mkdtempSync(join(tmpdir(), 'siegelpost-verdict-language-'))
const passphraseFile = join(temp, 'vault-passphrase')
const nssFile = join(temp, 'nss')
writeFileSync(passphraseFile, 'verdict language test vault\n')
writeFileSync(nssFile, 'nss\n')

function cli(profile: string, args: string[]) {
  const run = runCli(['--profile', profile, '--vault-passphrase-file', passphraseFile, ...args], { env: noKeychain })
  if (run.status !== 0) throw new Error(`siegelpost ${args.join(' ')}: ${run.errorLines.join('\n')}`)
  return run.stdout
}

/** Runs `open --json` for every file in both languages, four at a time (the CLI mostly waits on its vault and disk). */
interface Opened {
  file: string
  lang: Lang
  document: OpenDocument
}

async function openAll(profile: string, files: string[]): Promise<Opened[]> {
  const jobs = files.flatMap((file) => (['de', 'en'] as const).map((lang) => ({ file, lang })))
  const results: Opened[] = []
  const worker = async () => {
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      const args = [
        '--profile',
        profile,
        '--vault-passphrase-file',
        passphraseFile,
        '--lang',
        job.lang,
        'open',
        job.file,
        '--json',
      ]
      const run = await runCliAsync(args, { env: noKeychain })
      if (run.status !== 0) throw new Error(`open ${job.file}: ${run.errorLines.join('\n')}`)
      results.push({ file: job.file, lang: job.lang, document: JSON.parse(run.stdout) as OpenDocument })
    }
  }
  await Promise.all([worker(), worker(), worker(), worker()])
  return results
}

const seen = new Set<string>()

function checkLanguage(document: OpenDocument, lang: Lang, where: string) {
  for (const verdict of [document.security.encryption, document.security.signature]) {
    const expected = verdict.code === null ? '' : formatMessage(verdict.code as ErrorCode, lang, verdict.params)
    expect(verdict.reason, `${where} (${lang}): ${verdict.code}`).toBe(expected)
    if (verdict.code) seen.add(verdict.code)
  }
  for (const warning of document.security.warnings) {
    expect(Object.keys(warningTable), where).toContain(warning.code)
    const expected = formatMessage(warningTable[warning.code], lang, warning.params)
    expect(warning.text, `${where} (${lang}): ${warning.code}`).toBe(expected)
    seen.add(warning.code)
  }
}

/** The same verdict in both languages: only the words differ. */
function checkSameVerdict(de: OpenDocument, en: OpenDocument, where: string) {
  const shape = (d: OpenDocument) => ({
    encryption: [d.security.encryption.state, d.security.encryption.code, d.security.encryption.params],
    signature: [d.security.signature.state, d.security.signature.code],
    warnings: d.security.warnings.map((w) => w.code),
  })
  expect(shape(de), where).toEqual(shape(en))
}

function checkAll(results: Opened[]) {
  const byFile = new Map<string, Partial<Record<Lang, OpenDocument>>>()
  for (const { file, lang, document } of results) {
    checkLanguage(document, lang, file)
    byFile.set(file, { ...byFile.get(file), [lang]: document })
  }
  for (const [file, { de, en }] of byFile) checkSameVerdict(de!, en!, file)
  return byFile.size
}

const noSmimeCorpus = skipUnless('Thunderbird S/MIME corpus', hasSmimeCorpus, 'put the corpora in ../shared/corpora')
const noOpenpgpCorpus = skipUnless('Thunderbird OpenPGP corpus', hasOpenpgpCorpus, 'put them in ../shared/corpora')

describe.skipIf(noSmimeCorpus)('verdict language over the Thunderbird S/MIME corpus', () => {
  const profile = join(temp, 'smime')
  beforeAll(() => {
    assertBuilt()
    const p12s = [
      ...['Alice.p12', 'Bob.p12', 'Dave.p12'].map((f) => join(smimeDir, f)),
      ...['Fran.p12', 'Fran-ec.p12'].map((f) => join(smimeDir, '..', 'smime-interop', f)),
    ]
    for (const file of p12s) cli(profile, ['keys', 'import', file, '--passphrase-file', nssFile])
    cli(profile, ['certs', 'trust', join(smimeDir, 'TestCA.pem')])
  }, 120_000)

  it('every reason and warning text is the text of its code, in German and in English', async () => {
    const rows = readThunderbirdSmimeRows(smimeRoot)
    expect(rows.length).toBe(68)
    const files = rows.map((row, index) => {
      const path = join(temp, `smime-${index}.eml`)
      writeFileSync(path, smimeMessageBytes(smimeDir, row.file))
      return path
    })
    expect(checkAll(await openAll(profile, files))).toBe(68)
  }, 600_000)
})

describe.skipIf(noOpenpgpCorpus)('verdict language over the Thunderbird OpenPGP corpus', () => {
  const profile = join(temp, 'openpgp')
  beforeAll(() => {
    assertBuilt()
    // Alice's secret key, Bob's (secret: the rc-* mails are encrypted to him) and Carol's revoked one.
    for (const name of [
      'alice@openpgp.example-0xf231550c4f47e38e-secret.asc',
      'bob@openpgp.example-0xfbfcc82a015e7330-secret.asc',
      'carol@pgp.icu-0xEF2FD01608AFD744-revoked-secret.asc',
    ]) {
      cli(profile, ['keys', 'import', join(openpgpKeys, name)])
    }
  }, 120_000)

  it('every reason and warning text is the text of its code, in German and in English', async () => {
    const files = [...new Set(readRows().map((row) => row.eml))].map((eml) => join(openpgpMail, eml))
    expect(files.length).toBeGreaterThan(40)
    expect(checkAll(await openAll(profile, files))).toBe(files.length)
  }, 600_000)
})

afterAll(() => {
  console.log(`verdict codes seen over the corpora: ${[...seen].sort().join(', ')}`)
  rmSync(temp, { recursive: true, force: true })
})
