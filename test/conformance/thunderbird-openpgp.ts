import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { confirmFingerprint, importKeyFile } from '../../main/core/keys/key-store.ts'
import type { StoredKey } from '../../main/core/keys/stored-key.ts'
import { keyTechnologies } from '../../main/core/keys/technologies.ts'
import { openMessage, type OpenDocument } from '../../main/core/message/open.ts'
import { messageTechnologies } from '../../main/core/message/technologies.ts'
import { repoRoot } from '../helpers/run-cli.ts'
import { tempVault } from '../helpers/openpgp-fixtures.ts'

/** The Thunderbird OpenPGP corpus (read-only, never copied into the repo). */
export const corpusDir = join(repoRoot, '..', 'shared', 'corpora', 'thunderbird-openpgp')
export const hasCorpus = existsSync(join(corpusDir, 'EXPECTED-RESULTS-openpgp.tsv'))
const dataDir = join(corpusDir, 'mail', 'test', 'browser', 'openpgp', 'data')

export interface Row {
  line: number
  testName: string
  eml: string
  signature: string
  encryption: string
  body: string
}

export function readRows(): Row[] {
  const lines = readFileSync(join(corpusDir, 'EXPECTED-RESULTS-openpgp.tsv'), 'utf8').split('\n')
  const rows: Row[] = []
  lines.forEach((line, index) => {
    if (line.startsWith('#') || line.startsWith('test_file') || line.trim() === '') return
    const [, testName = '', eml = '', signature = '', encryption = '', body = ''] = line.split('\t')
    rows.push({
      line: index + 1,
      testName,
      eml,
      signature: signature.trim(),
      encryption: encryption.trim(),
      body: body.trim(),
    })
  })
  return rows
}

/** The test setup of the upstream mochitests: Alice's secret key is ours, Bob's key is accepted, Carol's is not there. */
export async function corpusKeys(): Promise<{ keys: StoredKey[]; close: () => Promise<void> }> {
  const { vault, close } = await tempVault()
  const now = new Date()
  const load = async (name: string) => {
    const path = join(dataDir, 'keys', name)
    return importKeyFile(
      vault,
      keyTechnologies,
      { bytes: readFileSync(path), fileName: name, path },
      { passphrase: null, now },
    )
  }
  await load('alice@openpgp.example-0xf231550c4f47e38e-secret.asc')
  const [bob] = await load('bob@openpgp.example-0xfbfcc82a015e7330-pub.asc')
  await confirmFingerprint(vault, bob!.fingerprint, bob!.fingerprint)
  return { keys: vault.contents.keys, close }
}

/** Rows whose upstream test imports more keys: the rc-* mails are encrypted to Bob, one mail to Carol's revoked key. */
const extraKeys: Record<string, string[]> = {
  'enc-to-carol@pgp.icu-revoked.eml': ['carol@pgp.icu-0xEF2FD01608AFD744-revoked-secret.asc'],
}
export async function keysForRow(eml: string, base: readonly StoredKey[]): Promise<StoredKey[]> {
  const files = eml.startsWith('rc-') ? ['bob@openpgp.example-0xfbfcc82a015e7330-secret.asc'] : (extraKeys[eml] ?? [])
  if (files.length === 0) return [...base]
  const { vault, close } = await tempVault()
  try {
    const added: StoredKey[] = []
    for (const name of files) {
      const path = join(dataDir, 'keys', name)
      added.push(
        ...(await importKeyFile(
          vault,
          keyTechnologies,
          { bytes: readFileSync(path), fileName: name, path },
          { passphrase: null, now: new Date() },
        )),
      )
    }
    return [...base.filter((k) => !added.some((a) => a.fingerprint === k.fingerprint)), ...added]
  } finally {
    await close()
  }
}

export async function openCorpusMail(eml: string, keys: readonly StoredKey[]): Promise<OpenDocument> {
  const bytes = readFileSync(join(dataDir, 'eml', eml))
  return (await openMessage(new Uint8Array(bytes), messageTechnologies, { keys, now: new Date() })).document
}

/**
 * Maps a row's Thunderbird UI expectation onto our verdicts. Thunderbird's "verified" is our valid
 * + verified, "unverified" valid + unverified, "unknown" unknown-key, "mismatch" mismatch;
 * "no-signed-icon" means not shown as signed (anything but valid/mismatch).
 * Returns the failed checks (empty = the row passes).
 */
export function judge(row: Row, document: OpenDocument): string[] {
  const failures: string[] = []
  const { signature, encryption } = document.security
  const sig = row.signature.split(';')[0]!.trim()
  const expectSig = (ok: boolean) =>
    ok ||
    failures.push(
      `signature: expected ${row.signature}, got ${signature.state}/${signature.acceptance} (${signature.reason})`,
    )
  if (sig === 'signed=verified')
    expectSig(
      signature.state === 'valid' &&
        (signature.acceptance === 'verified' || row.signature.includes('signed=unverified')),
    )
  else if (sig === 'signed=unverified') expectSig(signature.state === 'valid' && signature.acceptance === 'unverified')
  else if (sig === 'signed=ok') expectSig(signature.state === 'valid')
  else if (sig === 'signed=unknown') expectSig(signature.state === 'unknown-key')
  else if (sig === 'signed=mismatch') expectSig(signature.state === 'mismatch')
  else if (sig === 'NOT signed=mismatch') expectSig(signature.state !== 'mismatch' && signature.state !== 'valid')
  else if (sig === 'no-signed-icon' || sig === 'outer signature' || sig === 'outer signature need not verify')
    expectSig(signature.state !== 'valid' && signature.state !== 'mismatch')

  const enc = row.encryption
  const expectEnc = (ok: boolean) =>
    ok || failures.push(`encryption: expected ${row.encryption}, got ${encryption.state} (${encryption.reason})`)
  if (/^encrypted=ok|^inner MDC-protected/.test(enc)) expectEnc(encryption.state === 'encrypted')
  else if (
    /^NOT encrypted|no-encrypted-icon|only after explicit user action|after user action: encrypted=notok|non-top-level sibling/.test(
      enc,
    )
  )
    expectEnc(encryption.state !== 'encrypted')
  else if (/NO integrity protection|decryption error|inner no-MDC/.test(enc)) expectEnc(encryption.state === 'failed')

  const body = row.body
  if (body === 'plaintext shown') {
    if (document.text.trim() === '' || document.text.includes('-----BEGIN PGP MESSAGE-----'))
      failures.push('body: expected the plaintext to be shown')
  } else if (
    /plaintext NOT shown|secret never shown|NOT auto-decrypted|must not render plaintext|must not merge/.test(body)
  ) {
    if (encryption.state === 'encrypted') failures.push('body: expected no decrypted plaintext')
  }
  // rc-* (remote content): whatever is shown must never carry HTML with remote references.
  if (row.eml.startsWith('rc-') && /<img|src\s*=|https?:\/\//i.test(document.text))
    failures.push('remote content: displayable text carries remote references')
  return failures
}
