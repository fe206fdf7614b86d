import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import { GpgHome } from './gpg.ts'
import { runCli, type CliRun } from './run-cli.ts'
import { openssl } from './smime-pki.ts'

/**
 * The workbench of the attack-class tests (test/security/*): a temp folder, a Siegelpost profile in
 * the vault's passphrase mode (no keychain), real gpg and openssl to build the hostile mails, and
 * `open --json` through the built CLI. Mails are built from CRLF lines; nothing here is crypto of our own.
 */
export class AttackLab {
  readonly dir = mkdtempSync(join(tmpdir(), 'sp-attack-'))
  readonly gpg = new GpgHome()
  private files = 0

  constructor() {
    writeFileSync(join(this.dir, 'vault-pass'), 'Tresor-Passwort\n')
  }

  /** The CLI on this lab's profile, in English. */
  cli(...args: string[]): CliRun {
    return runCli(
      [...args, '--profile', join(this.dir, 'profile'), '--vault-passphrase-file', join(this.dir, 'vault-pass')],
      { env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siegelpost-bus' } },
    )
  }

  ok(...args: string[]): string {
    const run = this.cli(...args, '--lang', 'en')
    expect(run.status, run.stderr).toBe(0)
    return run.stdout
  }

  /** Writes bytes to a new file in the lab folder and returns its path. */
  file(bytes: Uint8Array | string, name = `f${++this.files}`): string {
    const path = join(this.dir, name)
    writeFileSync(path, bytes)
    return path
  }

  /** `open MAIL --json` of these bytes: the CLI.md document (exit 0 even for a failed decryption). */
  open(mail: Uint8Array | string): OpenDoc {
    return JSON.parse(this.ok('open', this.file(mail, `m${++this.files}.eml`), '--json')) as OpenDoc
  }

  /** Gives every OpenPGP public key of the gpg home and the given secret keys to the profile. */
  importGpgKeys(secretUids: string[] = []): void {
    this.ok('keys', 'import', this.file(this.gpg.ok(['--armor', '--export']).stdout, 'pub.asc'))
    for (const uid of secretUids) {
      const secret = this.gpg.ok(['--passphrase', '', '--armor', '--export-secret-keys', uid]).stdout
      this.ok('keys', 'import', this.file(secret, `sec-${++this.files}.asc`))
    }
  }

  /** An Ed25519 key (sign) with a Cv25519 subkey (encrypt), no passphrase; returns the fingerprint. */
  gpgKey(uid: string): string {
    return this.gpg.generate(uid, '')
  }

  /** gpg with an empty passphrase (keys are made without one). */
  gpgRun(args: string[], input?: Uint8Array | string): Buffer {
    return this.gpg.ok(['--passphrase', '', ...args], input).stdout
  }

  openssl(args: string[], input?: Buffer): Buffer {
    return openssl(args, { cwd: this.dir, ...(input ? { input } : {}) })
  }

  close(): void {
    this.gpg.close()
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/** The parts of `open --json` the attack tests look at. */
export interface OpenDoc {
  headers: { from: string; to: string[]; cc: string[]; replyTo: string[]; sender: string[]; subject: string }
  security: {
    encryption: { state: string; technology: string | null; code: string | null; reason: string }
    signature: {
      state: string
      technology: string | null
      signer: string | null
      acceptance: string | null
      code: string | null
    }
    warnings: { code: string; text: string }[]
  }
  text: string
  parts: { kind: string; encrypted: boolean; signed: boolean }[]
  attachments: { filename: string; contentType: string; size: number; sha256: string }[]
}

export const warningCodes = (doc: OpenDoc) => doc.security.warnings.map((w) => w.code).sort()

/** Header lines and a body joined with CRLF (the body's own line ends become CRLF too). */
export function mail(headers: string[], body: string | Uint8Array): Buffer {
  const head = Buffer.from(headers.map((line) => `${line}\r\n`).join('') + '\r\n')
  const tail = typeof body === 'string' ? Buffer.from(crlf(body)) : Buffer.from(body)
  return Buffer.concat([head, tail])
}

export const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n')

/** A MIME entity: header lines, empty line, body (CRLF). */
export const part = (headers: string[], body: string | Uint8Array) => mail(headers, body)

/** multipart/SUBTYPE of the given entities under `boundary`. */
export function multipart(subtype: string, boundary: string, parts: Uint8Array[], extra = ''): Buffer {
  const chunks: Buffer[] = [Buffer.from(`Content-Type: multipart/${subtype}; boundary="${boundary}"${extra}\r\n\r\n`)]
  for (const entity of parts) chunks.push(Buffer.from(`--${boundary}\r\n`), Buffer.from(entity), Buffer.from('\r\n'))
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return Buffer.concat(chunks)
}

/** RFC 3156 multipart/signed of `entity`, signed by gpg with `signer` (a uid or a key id with `!`). */
export function pgpMimeSigned(lab: AttackLab, signer: string, entity: Uint8Array, extraArgs: string[] = []): Buffer {
  const signature = lab.gpgRun(['--armor', '--detach-sign', '-u', signer, ...extraArgs], entity)
  const digest = /SHA1\b/i.test(extraArgs.join(' ')) ? 'pgp-sha1' : 'pgp-sha256'
  return multipart(
    'signed',
    'sig-boundary',
    [Buffer.from(entity), part(['Content-Type: application/pgp-signature; name="signature.asc"'], signature)],
    `; micalg=${digest}; protocol="application/pgp-signature"`,
  )
}

/** RFC 3156 multipart/encrypted of `entity` for `recipients` (gpg), optionally signed by `signer`. */
export function pgpMimeEncrypted(
  lab: AttackLab,
  recipients: string[],
  entity: Uint8Array,
  options: { signer?: string; args?: string[] } = {},
): Buffer {
  const signArgs = options.signer ? ['--sign', '-u', options.signer] : []
  const recipientArgs = recipients.flatMap((r) => ['-r', r])
  const cipher = lab.gpgRun(
    ['--armor', '--trust-model', 'always', '--encrypt', ...signArgs, ...recipientArgs, ...(options.args ?? [])],
    entity,
  )
  return pgpMimeEnvelope(cipher)
}

/** The RFC 3156 envelope around armored ciphertext. */
export function pgpMimeEnvelope(armored: Uint8Array | string): Buffer {
  return multipart(
    'encrypted',
    'enc-boundary',
    [
      part(['Content-Type: application/pgp-encrypted'], 'Version: 1\r\n'),
      part(['Content-Type: application/octet-stream; name="encrypted.asc"'], armored),
    ],
    '; protocol="application/pgp-encrypted"',
  )
}

/** An S/MIME application/pkcs7-mime entity around DER (base64 in lines of 76). */
export function pkcs7Mime(der: Uint8Array, smimeType: 'enveloped-data' | 'authEnveloped-data' | 'signed-data'): Buffer {
  const base64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{76})/g, '$1\r\n')
  return part(
    [
      `Content-Type: application/pkcs7-mime; smime-type=${smimeType}; name="smime.p7m"`,
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="smime.p7m"',
    ],
    base64,
  )
}

/** The bytes of a file the lab wrote or openssl made. */
export const read = (path: string) => readFileSync(path)

/** Standard header lines of a test mail. */
export const headerLines = (from: string, to: string, subject: string, extra: string[] = []) => [
  `From: ${from}`,
  `To: ${to}`,
  `Subject: ${subject}`,
  `Date: ${new Date().toUTCString()}`,
  'Message-ID: <' + Math.random().toString(36).slice(2) + '@attack.test>',
  'MIME-Version: 1.0',
  ...extra,
]

/** A whole message: these header lines in front of an entity's own header lines and body. */
export const message = (headers: string[], entity: Uint8Array) =>
  Buffer.concat([Buffer.from(headers.map((line) => `${line}\r\n`).join('')), Buffer.from(entity)])
