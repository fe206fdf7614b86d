import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { limits } from '../../main/core/limits.ts'
import { hasMailStack, mailStackFix, startMailStack, type MailStack, stackAccountArgs } from '../helpers/mail-stack.ts'
import { hasKeyringSession, skipUnless } from '../helpers/needs.ts'
import { assertBuilt, runCli, type CliRun } from '../helpers/run-cli.ts'

/**
 * No plaintext on disk (EFAIL's exfiltration by storage; "Mitigation of Attacks on Email E2E
 * Encryption", CCS 2020): every step that handles a decrypted or to-be-encrypted mail — compose,
 * send (real Postfix), fetch (real Dovecot), open, `mail show`, the password container (build and
 * open) and a large message opened through the streaming path (over limits.streamFromBytes, stored
 * as a chunked sealed file over limits.mailStoreInlineMaxBytes) — runs on a fresh profile with the
 * vault key in the OS keychain and a fresh TMPDIR; afterwards neither folder holds the marker in
 * plain UTF-8, base64 (all three alignments), quoted-printable or UTF-16 (LE and BE). Files the user
 * asked for (`--out`, `--save-attachments`) go to a work folder that is not scanned.
 */
const available = hasKeyringSession && hasMailStack
const skip = skipUnless(
  'a keychain session and the Postfix/Dovecot stack',
  available,
  `run under test/helpers/with-keyring.sh; ${mailStackFix}`,
)

/** ASCII, an umlaut and "=" so that quoted-printable differs from the plain form. */
const marker = `SPMARKER-${randomBytes(8).toString('hex')}-Prüfung=Geheim-${randomBytes(6).toString('hex')}`

/** The byte patterns the marker takes in the encodings a mail program writes. */
function markerForms(text: string): { name: string; bytes: Buffer }[] {
  const utf8 = Buffer.from(text, 'utf8')
  const forms = [{ name: 'plain', bytes: utf8 }]
  for (let shift = 0; shift < 3; shift++) {
    // Only the base64 characters that depend on marker bytes alone, at this byte alignment.
    const encoded = Buffer.concat([Buffer.alloc(shift), utf8]).toString('base64')
    const first = shift === 0 ? 0 : 4
    const last = (shift + utf8.length) % 3 === 0 ? encoded.length : encoded.length - 4
    forms.push({ name: `base64+${shift}`, bytes: Buffer.from(encoded.slice(first, last)) })
  }
  const qp = [...utf8]
    .map((byte) =>
      byte === 0x3d || byte > 0x7e ? `=${byte.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(byte),
    )
    .join('')
  forms.push({ name: 'quoted-printable', bytes: Buffer.from(qp) })
  const le = Buffer.from(text, 'utf16le')
  forms.push({ name: 'utf-16le', bytes: le }, { name: 'utf-16be', bytes: Buffer.from(le).swap16() })
  return forms
}

/** Every file below `dir`, with the marker forms found in it (line breaks and QP soft breaks removed too). */
function findMarker(dir: string, text: string): string[] {
  const forms = markerForms(text)
  const hits: string[] = []
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name)
      const info = statSync(path)
      if (info.isDirectory()) walk(path)
      else if (info.isFile()) {
        const raw = readFileSync(path)
        const unbroken = Buffer.from(raw.toString('latin1').replace(/=\r?\n|\r?\n/g, ''), 'latin1')
        for (const form of forms) {
          if (raw.includes(form.bytes) || unbroken.includes(form.bytes)) hits.push(`${path}: ${form.name}`)
        }
      }
    }
  }
  walk(dir)
  return hits
}

describe.skipIf(skip)('no plaintext on disk', () => {
  let stack: MailStack
  let dir: string
  let work: string
  let profile: string
  let temp: string
  const cli = (...args: string[]): CliRun =>
    runCli([...args, '--lang', 'en'], { env: { SIEGELPOST_PROFILE: profile, TMPDIR: temp } })
  const ok = (...args: string[]) => {
    const run = cli(...args)
    expect(run.status, `${args.join(' ')}: ${run.stderr}`).toBe(0)
    return run.stdout
  }
  const json = (...args: string[]) => JSON.parse(ok(...args, '--json'))

  beforeAll(() => {
    assertBuilt()
    stack = startMailStack()
    dir = mkdtempSync(join(tmpdir(), 'sp-no-plaintext-'))
    work = join(dir, 'work')
    profile = join(dir, 'profile')
    temp = join(dir, 'tmp')
    for (const folder of [work, temp]) mkdirSync(folder)
    writeFileSync(join(work, 'pw'), 'advisor-pw\n')
    writeFileSync(join(work, 'container-pw'), 'Container-Passwort 2026!\n')
    writeFileSync(join(work, 'body.txt'), `Sehr geehrter Herr Mandant,\n${marker}\nMit freundlichen Grüßen\n`)
    writeFileSync(join(work, 'beleg.txt'), `Beleg ${marker}\n`.repeat(20))
    // Over the streaming threshold and over the size stored as one sealed value: the chunked paths.
    const large = Math.max(limits.streamFromBytes, limits.mailStoreInlineMaxBytes) + 512 * 1024
    const filler = Buffer.from(`${marker} `.repeat(Math.ceil(large / 2 / (marker.length + 1))))
    // `large` bytes in all: encrypted and armored it stays under Postfix's default message_size_limit (10,240,000).
    writeFileSync(join(work, 'gross.bin'), Buffer.concat([filler, randomBytes(large - filler.length)]))
  }, 120_000)
  afterAll(() => {
    stack?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('the scanner finds every form of the marker (control)', () => {
    const control = join(dir, 'control')
    mkdirSync(control)
    for (const [index, form] of markerForms(marker).entries()) {
      const padding = Buffer.alloc(index % 3, 0x41)
      writeFileSync(join(control, `f${index}`), Buffer.concat([Buffer.from('xx'), padding, form.bytes, padding]))
    }
    // Real encoders too: base64 at three alignments and wrapped in lines, UTF-16 as written by iconv-like code.
    for (let shift = 0; shift < 3; shift++) {
      const base64 = Buffer.concat([randomBytes(7 + shift), Buffer.from(marker)]).toString('base64')
      writeFileSync(join(control, `b${shift}`), base64.replace(/(.{76})/g, '$1\r\n'))
    }
    const found = findMarker(control, marker)
    for (const form of markerForms(marker)) expect(found.some((hit) => hit.endsWith(`: ${form.name}`))).toBe(true)
    expect(found.filter((hit) => /\/b\d: base64/.test(hit))).toHaveLength(3)
    expect(findMarker(control, `${marker}-other`)).toEqual([])
  })

  it('compose, send, fetch, open, mail show, forward, container and a large-message open leave no trace of the marker', () => {
    json('keys', 'generate', '--name', 'Anna Beraterin', '--email', 'advisor@kanzlei.test')
    ok(...stackAccountArgs(stack, 'advisor', 'advisor@kanzlei.test', join(work, 'pw')))
    const compose = (name: string, extra: string[]) =>
      json(
        'compose',
        '--from',
        'advisor@kanzlei.test',
        '--to',
        'advisor@kanzlei.test',
        '--subject',
        `Unterlagen ${name}`,
        '--body-file',
        join(work, 'body.txt'),
        ...extra,
        '--out',
        join(work, `${name}.eml`),
      )
    // compose: OpenPGP, signed and encrypted, one small and one large attachment.
    expect(compose('klein', ['--attach', join(work, 'beleg.txt')])).toMatchObject({ encrypted: true })
    expect(compose('gross', ['--attach', join(work, 'gross.bin')])).toMatchObject({ encrypted: true })
    const grossSize = statSync(join(work, 'gross.eml')).size
    expect(grossSize).toBeGreaterThan(Math.max(limits.streamFromBytes, limits.mailStoreInlineMaxBytes))
    // open, and the large one through the streaming path, with its attachments saved where the user asked.
    expect(json('open', join(work, 'klein.eml')).text).toContain(marker)
    const opened = json('open', join(work, 'gross.eml'), '--save-attachments', join(work, 'saved'))
    expect(opened.security.encryption.state).toBe('encrypted')
    expect(readFileSync(join(work, 'saved', 'gross.bin')).equals(readFileSync(join(work, 'gross.bin')))).toBe(true)
    // send (real Postfix over TLS) and fetch (real Dovecot): both mails arrive in the INBOX and are stored.
    for (const name of ['klein', 'gross']) {
      expect(json('send', join(work, `${name}.eml`), '--account', 'advisor')).toMatchObject({ state: 'sent' })
    }
    let listed: { id: string; subject: string }[] = []
    for (let attempt = 0; attempt < 20 && listed.length < 2; attempt++) {
      json('fetch', '--account', 'advisor')
      listed = json('mail', 'list', '--account', 'advisor', '--folder', 'INBOX')
      if (listed.length < 2) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500)
    }
    // The list shows the neutral outer Subject; `mail show` decrypts and shows the protected one.
    expect(listed).toHaveLength(2)
    const subjects = listed.map(({ id }) => {
      const shown = json('mail', 'show', id, '--save-attachments', join(work, `shown-${id}`))
      expect(shown.text).toContain(marker)
      // Each saved file is the one whose size and SHA-256 the document reports (written in the same pass).
      for (const attachment of shown.attachments as { filename: string; size: number; sha256: string }[]) {
        const saved = readFileSync(join(work, `shown-${id}`, attachment.filename))
        expect({ size: saved.length, sha256: createHash('sha256').update(saved).digest('hex') }).toEqual({
          size: attachment.size,
          sha256: attachment.sha256,
        })
      }
      return shown.headers.subject as string
    })
    expect(subjects.sort()).toEqual(['Unterlagen gross', 'Unterlagen klein'])
    // The password container: built by compose, then opened by `container open`.
    compose('container', ['--encrypt', 'container', '--password-file', join(work, 'container-pw')])
    const carrier = json('open', join(work, 'container.eml'), '--save-attachments', join(work, 'carrier'))
    const pdf = carrier.attachments.find((a: { contentType: string }) => a.contentType === 'application/pdf')
    expect(pdf).toBeDefined()
    const inside = json(
      'container',
      'open',
      join(work, 'carrier', pdf.filename),
      '--password-file',
      join(work, 'container-pw'),
      '--save-attachments',
      join(work, 'container-files'),
    )
    expect(inside.text).toContain(marker)
    // forward of a stored message (reply takes the same path; a reply to oneself is refused): the quoted
    // original and the new text carry the marker, and go out encrypted.
    writeFileSync(join(work, 'reply.txt'), `Danke. ${marker}\n`)
    const forwarded = json(
      'forward',
      listed[1]!.id,
      '--to',
      'advisor@kanzlei.test',
      '--body-file',
      join(work, 'reply.txt'),
      '--send',
      '--account',
      'advisor',
    )
    expect(forwarded.messages.map((m: { protection: string }) => m.protection)).toEqual(['openpgp'])
    for (const step of laterSteps) step({ ok, json, work, marker, listed })

    // The profile and the temp folder: nothing of the marker in any form. The work folder has it (control).
    expect(findMarker(work, marker).length).toBeGreaterThan(0)
    expect(findMarker(profile, marker)).toEqual([])
    expect(findMarker(temp, marker)).toEqual([])
  }, 300_000)
})

/** More steps on the same profile, run before the scan (e.g. reply and forward). */
interface StepContext {
  ok: (...args: string[]) => string
  json: (...args: string[]) => unknown
  work: string
  marker: string
  listed: { id: string; subject: string }[]
}
const laterSteps: ((context: StepContext) => void)[] = []
