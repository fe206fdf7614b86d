import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { GpgHome } from './gpg.ts'
import { stackAccountArgs, type MailStack } from './mail-stack.ts'
import { exportAliceP12, type TestPki } from './smime-pki.ts'

export interface AliceSenderOptions {
  stack: MailStack
  /** Where the files the runs read are written. */
  dir: string
  pki: TestPki
  /** The gpg home that holds the keys of `openpgpRecipients`. */
  gpg: GpgHome
  /** Addresses whose gpg-made public keys are imported (exported from `gpg` into `dir` first). */
  openpgpRecipients: string[]
  /** The name of the account on the stack. */
  account: string
  /** Arguments after `policy consent client@mandant.test --channel tls --by "Anna Beraterin"` (e.g. a --note). */
  consentExtra?: string[]
}

export interface AliceSender {
  /** The CLI runs that make the profile, in order; each must succeed. */
  runs: string[][]
  /** Alice's mailbox password on the stack as a file (`accounts add --password-file`). */
  passwordFile: string
}

/**
 * Alice Beraterin (alice@example.org) as the send suites need her on the mail stack: the test CA trusted, her
 * S/MIME key from a PKCS#12 file openssl made and a new OpenPGP key, Fran's certificate, the gpg-made public keys
 * of `openpgpRecipients`, documented TLS consent for client@mandant.test, and her account on the stack. Writes
 * the files into `dir` and returns the runs; the caller runs them on its profile (passphrase vault or keychain).
 */
export function aliceSender(options: AliceSenderOptions): AliceSender {
  const { stack, dir, pki, gpg } = options
  const p12 = join(dir, 'alice.p12')
  const p12Password = join(dir, 'p12-pass')
  const passwordFile = join(dir, 'alice-pw')
  writeFileSync(p12Password, 'Kanzlei 2026!\n')
  writeFileSync(passwordFile, 'alice-pw\n')
  exportAliceP12(pki, p12, 'Kanzlei 2026!')
  const publicKeys = options.openpgpRecipients.map((address) => {
    const file = join(dir, `${address}.asc`)
    writeFileSync(file, gpg.ok(['--armor', '--export', address]).stdout)
    return file
  })
  const consent = ['policy', 'consent', 'client@mandant.test', '--channel', 'tls', '--by', 'Anna Beraterin']
  return {
    runs: [
      ['certs', 'trust', pki.ca.certFile],
      ['keys', 'import', p12, '--passphrase-file', p12Password],
      ['keys', 'generate', '--name', 'Alice Beraterin', '--email', 'alice@example.org'],
      ['keys', 'import', pki.fran.certFile],
      ...publicKeys.map((file) => ['keys', 'import', file]),
      [...consent, ...(options.consentExtra ?? [])],
      stackAccountArgs(stack, options.account, 'alice@example.org', passwordFile),
    ],
    passwordFile,
  }
}
