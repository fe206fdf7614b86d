import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { asStackUser, type MailStack } from './mail-stack.ts'

/**
 * A generated mailbox for the sync tests, written straight into the test Dovecot's Maildir (fast: no
 * SMTP, no process per message). A handful of messages are made by the real tools (gpg PGP/MIME,
 * openssl S/MIME enveloped and signed); the rest are plain and HTML variations of them, a few with
 * large attachments, a few malformed. Subjects carry `subjectMarker`, bodies `bodyMarker`, so a test can
 * scan the profile for plaintext.
 */
export const subjectMarker = 'SIEGELBETREFFMARKE'
export const bodyMarker = 'KOERPERTEXTMARKE'

export interface Corpus {
  count: number
  kinds: Record<string, number>
}

const crlf = (text: string | Buffer) => Buffer.from(text.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1')

function toolMade(work: string): { pgp: Buffer; smimeEncrypted: Buffer; smimeSigned: Buffer } {
  const home = join(work, 'gnupg')
  mkdirSync(home, { mode: 0o700 })
  const gpg = (args: string[], input?: string) =>
    execFileSync(
      'gpg',
      ['--homedir', home, '--batch', '--yes', '--pinentry-mode', 'loopback', '--passphrase', '', ...args],
      { input, stdio: ['pipe', 'pipe', 'ignore'] },
    )
  gpg(['--quick-gen-key', 'Mandant <client@mandant.test>', 'future-default', 'default', 'never'])
  const armored = gpg(
    ['--armor', '--encrypt', '--trust-model', 'always', '-r', 'client@mandant.test'],
    `Content-Type: text/plain\r\n\r\n${bodyMarker} pgp\r\n`,
  ).toString()
  execFileSync('gpgconf', ['--homedir', home, '--kill', 'all'], { stdio: 'ignore' })
  const pgp = crlf(
    `Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="pgpb"\n\n--pgpb\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n--pgpb\nContent-Type: application/octet-stream; name="encrypted.asc"\n\n${armored}\n--pgpb--\n`,
  )
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'k.pem',
      '-out',
      'c.pem',
      '-days',
      '2',
      '-subj',
      '/CN=Mandant/emailAddress=client@mandant.test',
    ],
    { cwd: work, stdio: 'ignore' },
  )
  writeFileSync(join(work, 'body.txt'), `Content-Type: text/plain\r\n\r\n${bodyMarker} smime\r\n`)
  const smimeEncrypted = crlf(
    execFileSync('openssl', ['smime', '-encrypt', '-aes256', '-in', 'body.txt', 'c.pem'], { cwd: work }),
  )
  const smimeSigned = crlf(
    execFileSync('openssl', ['smime', '-sign', '-in', 'body.txt', '-signer', 'c.pem', '-inkey', 'k.pem'], {
      cwd: work,
    }),
  )
  return { pgp, smimeEncrypted, smimeSigned }
}

const header = (i: number, stamp: string) =>
  `From: Kanzlei ${i} <advisor@kanzlei.test>\r\nTo: Mandant <client@mandant.test>\r\nSubject: ${subjectMarker} ${stamp} Nr. ${i}\r\nDate: ${new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toUTCString()}\r\nMessage-ID: <${stamp}.${i}@kanzlei.test>\r\nMIME-Version: 1.0\r\n`

/** One message of the corpus (index i decides the kind). */
export function corpusMessage(
  i: number,
  stamp: string,
  made: ReturnType<typeof toolMade>,
): { kind: string; bytes: Buffer } {
  const head = header(i, stamp)
  if (i % 97 === 5) return { kind: 'pgp', bytes: Buffer.concat([Buffer.from(head), made.pgp]) }
  if (i % 89 === 7) return { kind: 'smime-encrypted', bytes: Buffer.concat([Buffer.from(head), made.smimeEncrypted]) }
  if (i % 83 === 11) return { kind: 'smime-signed', bytes: Buffer.concat([Buffer.from(head), made.smimeSigned]) }
  if (i === 400 || i === 401) {
    // Malformed: a header line without a colon and no empty line; thousands of headers.
    const junk =
      i === 400
        ? 'this is not a header\r\n\u0001\u0002 garbage'
        : `${'X-Junk: 1\r\n'.repeat(5000)}Subject ${subjectMarker}\r\n`
    return { kind: 'malformed', bytes: Buffer.from(junk + `\r\n${bodyMarker} ${i}\r\n`, 'latin1') }
  }
  if (i === 300 || i === 600 || i === 900) {
    const attachment = randomBytes(3 * 1024 * 1024)
      .toString('base64')
      .replace(/.{76}/g, '$&\r\n')
    return {
      kind: 'large',
      bytes: Buffer.from(
        `${head}Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n${bodyMarker} ${i}\r\n--b\r\nContent-Type: application/pdf; name="akte.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--b--\r\n`,
      ),
    }
  }
  if (i % 10 === 3) {
    const html = `<html><head><style>body{background:url(http://127.0.0.1:9/css)}</style></head><body><img src="http://127.0.0.1:9/x.png"><script>document.title='x'</script><p>${bodyMarker} ${i}</p></body></html>`
    return { kind: 'html', bytes: Buffer.from(`${head}Content-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`) }
  }
  return {
    kind: 'plain',
    bytes: Buffer.from(
      `${head}Content-Type: text/plain; charset=utf-8\r\n\r\n${bodyMarker} ${i}: Anbei die Unterlagen.\r\n`,
    ),
  }
}

export function maildirOf(stack: MailStack, folder = ''): string {
  return join(stack.root, 'maildirs', 'kanzlei.test', 'advisor', folder === '' ? '' : `.${folder}`)
}

/** Writes `count` messages into advisor@kanzlei.test's Maildir folder (every third one read). */
export function writeCorpus(stack: MailStack, count: number, stamp: string): Corpus {
  const work = mkdtempSync(join(tmpdir(), 'sp-corpus-'))
  try {
    const made = toolMade(work)
    const base = maildirOf(stack)
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(base, sub), { recursive: true })
    const kinds: Record<string, number> = {}
    for (let i = 0; i < count; i++) {
      const { kind, bytes } = corpusMessage(i, stamp, made)
      kinds[kind] = (kinds[kind] ?? 0) + 1
      writeFileSync(
        join(base, 'cur', `${1_700_000_000 + i}.M${i}P${process.pid}.corpus:2,${i % 3 === 0 ? 'S' : ''}`),
        bytes,
      )
    }
    const vmail = Number(execFileSync('id', ['-u', 'vmail']).toString().trim())
    const group = Number(execFileSync('id', ['-g', 'vmail']).toString().trim())
    execFileSync('chown', ['-R', `${vmail}:${group}`, join(stack.root, 'maildirs')])
    chownSync(join(stack.root, 'maildirs'), vmail, group)
    return { count, kinds }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

export function doveadm(stack: MailStack, args: string[], input?: Buffer | string): string {
  return execFileSync('doveadm', ['-c', join(stack.root, 'dovecot', 'dovecot.conf'), ...args], {
    input,
    encoding: 'utf8',
    timeout: 60_000,
  })
}

/** The server's view over a bare imapflow connection: UID → sha256 of the raw bytes and the flags. */
export async function serverTruth(
  stack: MailStack,
  folder = 'INBOX',
): Promise<Map<number, { sha256: string; flags: string[] }>> {
  return asStackUser(stack, 'advisor@kanzlei.test', async (client) => {
    const out = new Map<number, { sha256: string; flags: string[] }>()
    const lock = await client.getMailboxLock(folder, { readOnly: true })
    try {
      if (client.mailbox && client.mailbox.exists > 0) {
        for await (const m of client.fetch('1:*', { uid: true, flags: true, source: true }, { uid: true })) {
          out.set(m.uid, {
            sha256: createHash('sha256').update(m.source!).digest('hex'),
            flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort(),
          })
        }
      }
    } finally {
      lock.release()
    }
    return out
  })
}
