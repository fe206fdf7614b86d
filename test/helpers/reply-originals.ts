import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import type { CliRun } from './run-cli.ts'
import type { GpgHome } from './gpg.ts'
import { openssl, type TestPki } from './smime-pki.ts'

/**
 * Originals for the reply and forward tests, made with the real peers: PGP/MIME encrypted with gpg,
 * S/MIME enveloped with openssl, and plain ones, each with the header fields a test names. The
 * content is a MIME entity written by the test (with the hidden or foreign marker text it plants).
 */
export const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n')

export function header(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')
}

/** A PGP/MIME message (RFC 3156) whose encrypted entity is `inner`, encrypted by gpg to `recipient`. */
export function pgpMime(gpg: GpgHome, recipient: string, fields: Record<string, string>, inner: string): Buffer {
  const armored = gpg
    .ok(['--trust-model', 'always', '--armor', '--encrypt', '-r', recipient], Buffer.from(crlf(inner)))
    .stdout.toString('utf8')
  return Buffer.from(
    header({
      ...fields,
      'MIME-Version': '1.0',
      'Content-Type': 'multipart/encrypted; protocol="application/pgp-encrypted"; boundary="pgp-outer"',
    }) +
      crlf(
        `\n--pgp-outer\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n--pgp-outer\n` +
          `Content-Type: application/octet-stream; name="encrypted.asc"\n\n${armored}\n--pgp-outer--\n`,
      ),
  )
}

/** An S/MIME enveloped message (AES-256-CBC, openssl cms) whose content is `inner`, to the certificate's owner. */
export function smimeEnveloped(pki: TestPki, certFile: string, fields: Record<string, string>, inner: string): Buffer {
  const enveloped = openssl(['cms', '-encrypt', '-aes256', certFile], {
    cwd: pki.dir,
    input: Buffer.from(crlf(inner)),
  }).toString('latin1')
  return Buffer.from(crlf(header(fields)) + crlf(enveloped), 'latin1')
}

export const textEntity = (text: string) =>
  `Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n${text}\n`

export const htmlEntity = (html: string) =>
  `Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n${html}\n`

export function mixed(boundary: string, ...entities: string[]): string {
  return (
    `Content-Type: multipart/mixed; boundary="${boundary}"\n\n` +
    entities.map((e) => `--${boundary}\n${e}\n`).join('') +
    `--${boundary}--\n`
  )
}

/** The text a gpg-decrypted or openssl-decrypted reply carries, with quoted-printable soft breaks undone. */
export function readable(bytes: Buffer): string {
  const text = bytes.toString('latin1')
  const end = text.search(/\r?\n\r?\n/)
  const decoded = text
    .slice(end)
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
  return Buffer.from(text.slice(0, end) + decoded, 'latin1').toString('utf8')
}

export function decryptPgp(gpg: GpgHome, mail: Buffer, passphrase: string): string {
  const result = gpg.run(['--passphrase', passphrase, '--decrypt'], mail)
  expect(result.statusLines, result.stderr).toContain('DECRYPTION_OKAY')
  return readable(result.stdout)
}

export function decryptSmime(pki: TestPki, mail: Buffer, who: 'alice' | 'fran'): string {
  return readable(
    openssl(['cms', '-decrypt', '-recip', `${who}.pem`, '-inkey', `${who}.key`], { cwd: pki.dir, input: mail }),
  )
}

export function writeOriginal(dir: string, name: string, bytes: Buffer): string {
  const path = join(dir, `${name}.eml`)
  writeFileSync(path, bytes)
  return path
}

export const readOut = (path: string) => readFileSync(path)

export function expectOk(run: CliRun): void {
  expect(run.status, `${run.stderr}\n${run.stdout}`).toBe(0)
}
