import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { crc32, deflateSync } from 'node:zlib'
import { confirmFingerprint, importKeyFile } from '../../main/core/keys/key-store.ts'
import { keyTechnologies } from '../../main/core/keys/technologies.ts'
import type { Vault } from '../../main/core/keys/vault.ts'
import { GpgHome } from '../helpers/gpg.ts'
import { makeTestPki, openssl } from '../helpers/smime-pki.ts'
import { smimeVaultKeys } from '../helpers/smime-vault.ts'

/**
 * Messages of every kind the read view must handle, made by real GnuPG (PGP/MIME, RFC 3156),
 * plus the vault of the reader ("Mia Mandant") that opens them.
 */
const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n')
const pass = 'fixture-pass'
const now = new Date()

/**
 * An RFC 5322 date (§3.3) in UTC, `seconds` before the fixtures are made. The messages are signed when the
 * test runs, so their Date and Received fields carry that time too: a Date far from the signature time
 * would be the `date-gap` warning, which no fixture here is meant to show.
 */
function mailDate(seconds = 0): string {
  const d = new Date(now.getTime() - seconds * 1000)
  const pad = (n: number) => String(n).padStart(2, '0')
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()]
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]
  return `${day}, ${pad(d.getUTCDate())} ${month} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
}

export const addresses = {
  client: 'mia@mandant.example',
  advisor: 'info@kanzlei-berger.example',
  stranger: 'fremd@other.example',
  nokey: 'nobody@elsewhere.example',
  newcomer: 'neu@steuer-neu.example',
}

const received = (hostFrom: string, hostBy: string, tls: boolean) =>
  tls
    ? `Received: from ${hostFrom} (${hostFrom} [192.0.2.10])\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\r\n\tby ${hostBy} (Postfix) with ESMTPS id 4A1B2C3D\r\n\tfor <${addresses.client}>; ${mailDate(-5)}\r\n`
    : `Received: from ${hostFrom} (${hostFrom} [192.0.2.20])\r\n\tby ${hostBy} (Postfix) with ESMTP id 5E6F7A8B\r\n\tfor <${addresses.client}>; ${mailDate(-2)}\r\n`

const trail = (plainHop = false) =>
  received('mx.kanzlei-berger.example', 'mx.mandant.example', true) +
  received('mail.kanzlei-berger.example', 'mx.kanzlei-berger.example', !plainHop)

function outer(from: string, subject: string, contentType: string, extra = '', plainHop = false): string {
  return (
    trail(plainHop) +
    crlf(
      `From: ${from}\nTo: Mia Mandant <${addresses.client}>\nCc: Buchhaltung <buchhaltung@mandant.example>\nSubject: ${subject}\nDate: ${mailDate()}\nMessage-ID: <${Math.random().toString(36).slice(2)}@kanzlei-berger.example>\nMIME-Version: 1.0\n${extra}Content-Type: ${contentType}\n\n`,
    )
  )
}

export const pdfBytes = Buffer.concat([
  Buffer.from('%PDF-1.4\n% Einkommensteuerbescheid 2025\n'),
  Buffer.alloc(48 * 1024, 0x41),
  Buffer.from('\n%%EOF\n'),
])

const attachmentPart = (boundary: string) =>
  crlf(
    `--${boundary}\nContent-Type: application/pdf; name="Bescheid-2025.pdf"\nContent-Disposition: attachment; filename="Bescheid-2025.pdf"\nContent-Transfer-Encoding: base64\n\n`,
  ) +
  pdfBytes.toString('base64').replace(/.{76}/g, '$&\r\n') +
  '\r\n'

/** The inner entity of the advisor's mails: a greeting and the PDF. */
function letterEntity(text: string): string {
  const b = 'inner-b1'
  return (
    crlf(
      `Content-Type: multipart/mixed; boundary="${b}"\n\n--${b}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n${text}\n`,
    ) +
    attachmentPart(b) +
    `--${b}--\r\n`
  )
}

function encryptedMessage(from: string, subject: string, armored: string): string {
  const b = 'enc-b1'
  return (
    outer(from, subject, `multipart/encrypted; protocol="application/pgp-encrypted"; boundary="${b}"`) +
    crlf(
      `--${b}\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n--${b}\nContent-Type: application/octet-stream; name="encrypted.asc"\n\n${armored}\n--${b}--\n`,
    )
  )
}

function signedMessage(
  from: string,
  subject: string,
  entity: string,
  signature: string,
  extra = '',
  plainHop = false,
): string {
  const b = 'sig-b1'
  return (
    outer(
      from,
      subject,
      `multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="${b}"`,
      extra,
      plainHop,
    ) +
    `--${b}\r\n${entity}\r\n--${b}\r\n` +
    crlf(`Content-Type: application/pgp-signature; name="signature.asc"\n\n${signature}\n--${b}--\n`)
  )
}

/** A valid PNG of one colour (the logo the HTML mail names by cid:). */
function squarePng(size: number, rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([length, body, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header.set([8, 2, 0, 0, 0], 8)
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => rgb).flat())])
  const pixels = deflateSync(Buffer.concat(Array.from({ length: size }, () => row)))
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

export interface ReadFixtures {
  dir: string
  files: Record<
    | 'encrypted'
    | 'signed'
    | 'mismatch'
    | 'invalid'
    | 'cannotDecrypt'
    | 'partly'
    | 'html'
    | 'offered'
    | 'smime'
    | 'keyChanged'
    | 'encryptedUnsigned'
    | 'encryptedUnknownKey',
    string
  >
  /** The reader's keys: Mia's secret key, the advisor's (verified) and a stranger's public keys. */
  fillVault: (vault: Vault) => Promise<void>
  /**
   * A large mail (PGP/MIME, signed and encrypted by GnuPG for the reader) with a PDF of `payloadMiB`
   * of random bytes as its attachment, written into the fixtures' folder; returns its path.
   */
  makeLarge: (payloadMiB: number) => string
  close: () => void
}

export const htmlMarker = '__spMailScriptRan'

/** Builds every fixture into `dir`. `hitUrl`: a loopback server that counts requests. */
export async function makeReadFixtures(dir: string, hitUrl: string): Promise<ReadFixtures> {
  mkdirSync(dir, { recursive: true })
  const gpg = new GpgHome()
  const pkiDir = join(dir, 'pki')
  mkdirSync(pkiDir, { recursive: true })
  const pki = makeTestPki(pkiDir)
  const client = gpg.generate(`Mia Mandant <${addresses.client}>`, pass)
  const advisor = gpg.generate(`Kanzlei Berger <${addresses.advisor}>`, pass)
  const stranger = gpg.generate(`Fremd <${addresses.stranger}>`, pass)
  const nokey = gpg.generate(`Niemand <${addresses.nokey}>`, pass)
  const newcomer = gpg.generate(`Steuerbüro Neu <${addresses.newcomer}>`, pass)
  // The advisor's second key: same address, another key (the reader has it, unverified).
  const advisorNew = gpg.generate(`Kanzlei Berger (neuer Schluessel) <${addresses.advisor}>`, pass)
  const run = (args: string[], input?: string) =>
    gpg.ok(['--passphrase', pass, '--trust-model', 'always', ...args], input).stdout.toString('utf8')
  const keyFiles = {
    client: run(['--armor', '--export-secret-keys', client]),
    advisor: run(['--armor', '--export', advisor]),
    stranger: run(['--armor', '--export', stranger]),
    advisorNew: run(['--armor', '--export', advisorNew]),
  }
  const fillVault = async (vault: Vault) => {
    const imp = async (bytes: string, name: string, passphrase: string | null) =>
      importKeyFile(
        vault,
        keyTechnologies,
        { bytes: new TextEncoder().encode(bytes), fileName: name, path: `/in/${name}` },
        { passphrase: passphrase === null ? null : new TextEncoder().encode(passphrase), now },
      )
    await imp(keyFiles.client, 'mia.asc', pass)
    const [advisorKey] = await imp(keyFiles.advisor, 'kanzlei.asc', null)
    await confirmFingerprint(vault, advisorKey!.id, advisorKey!.fingerprint)
    await imp(keyFiles.stranger, 'fremd.asc', null)
    await imp(keyFiles.advisorNew, 'kanzlei-neu.asc', null)
    // S/MIME: the reader's own certificate (Fran) and the test CA as trust anchor.
    const { own, anchor } = smimeVaultKeys(pki)
    await vault.update((draft) => void draft.keys.push(own(pki.fran), ...anchor))
  }
  const files = {} as ReadFixtures['files']
  const write = (name: keyof ReadFixtures['files'], text: string | Buffer) => {
    const path = join(dir, `${name}.eml`)
    writeFileSync(path, text)
    files[name] = path
  }
  const kanzlei = `Kanzlei Berger <${addresses.advisor}>`
  const letter = letterEntity(
    'Guten Tag Frau Mandant,\n\nanbei Ihr Einkommensteuerbescheid 2025. Bitte prüfen Sie ihn bis zum 31. März.\n\nMit freundlichen Grüßen\nKanzlei Berger',
  )

  // 1. Encrypted and signed (RFC 3156 §6.2 combined), sender verified.
  write(
    'encrypted',
    encryptedMessage(
      kanzlei,
      'Ihr Steuerbescheid 2025',
      run(['--armor', '--sign', '--encrypt', '-u', advisor, '-r', client], letter),
    ),
  )
  // 2. Signed only.
  const signedEntity = letterEntity(
    'Guten Tag,\n\ndie Termine für die Belegabgabe 2026 stehen fest: 15. April und 15. Oktober.\n\nKanzlei Berger',
  )
  write(
    'signed',
    signedMessage(
      kanzlei,
      'Termine Belegabgabe 2026',
      signedEntity,
      run(['--armor', '--detach-sign', '-u', advisor], signedEntity),
      '',
      true,
    ),
  )
  // 3. Signed by a key of another address.
  write(
    'mismatch',
    signedMessage(
      kanzlei,
      'Neue Bankverbindung',
      signedEntity,
      run(['--armor', '--detach-sign', '-u', stranger], signedEntity),
    ),
  )
  // 4. Signed, then changed on the way.
  const sig = run(['--armor', '--detach-sign', '-u', advisor], signedEntity)
  write(
    'invalid',
    signedMessage(kanzlei, 'Termine Belegabgabe 2026', signedEntity.replace('15. Oktober', '15. Juli'), sig),
  )
  // 5. Encrypted to a key this device does not have.
  write(
    'cannotDecrypt',
    encryptedMessage(
      kanzlei,
      'Lohnabrechnung März',
      run(['--armor', '--sign', '--encrypt', '-u', advisor, '-r', nokey], letter),
    ),
  )
  // 6. Unprotected text around an encrypted part (the encrypted part is not opened automatically).
  {
    const b = 'mix-b1'
    const enc = 'enc-in-b2'
    const armored = run(['--armor', '--encrypt', '-r', client], letter)
    write(
      'partly',
      outer(kanzlei, 'Weitergeleitet: Unterlagen', `multipart/mixed; boundary="${b}"`) +
        crlf(
          `--${b}\nContent-Type: text/plain; charset=utf-8\n\nHallo, unten die weitergeleitete Nachricht der Kanzlei.\n--${b}\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="${enc}"\n\n--${enc}\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n--${enc}\nContent-Type: application/octet-stream\n\n${armored}\n--${enc}--\n--${b}--\n`,
        ),
    )
  }
  // 7. HTML with everything a mail may try: scripts, handlers, remote images and CSS, links, an overlay over the window.
  {
    const b = 'rel-b1'
    const alt = 'alt-b1'
    const png = squarePng(16, [0x8b, 0x1e, 0x2d])
    const html = `<html><head><style>@import url("${hitUrl}/import.css"); body { background: url("${hitUrl}/bg.png"); } .logo { border: 3px solid #8b1e2d; }</style>
<script>window.parent.${htmlMarker} = 'script'; fetch("${hitUrl}/script")</script></head>
<body><div style="position:fixed;top:-400px;left:0;width:3000px;height:3000px;z-index:2147483647;background:rgba(0,128,0,0.2)">
<p style="font-size:22px;color:#1b4d1e">&#128274;&#10003; Verschl&uuml;sselt &middot; Absender best&auml;tigt</p></div>
<h1 class="logo">Newsletter Steuertipps M&auml;rz</h1>
<p>Liebe Mandantin, lieber Mandant,</p><p>die <b>Grundsteuer</b>-Erkl&auml;rung ist f&auml;llig. <a href="javascript:window.parent.${htmlMarker}='link'">Hier klicken</a> oder <a href="https://kanzlei-berger.example/grundsteuer">mehr lesen</a>.</p>
<img src="${hitUrl}/pixel.gif" onerror="window.parent.${htmlMarker}='onerror'" width="1" height="1">
<img src="cid:logo@kanzlei" alt="Logo der Kanzlei" width="32" height="32">
<img src="x" onerror="window.parent.${htmlMarker}='onerror2'; new Image().src='${hitUrl}/onerror'">
<svg><image href="${hitUrl}/svg.png"/></svg><iframe src="${hitUrl}/frame"></iframe><form action="${hitUrl}/form"><input name="q"><button>Senden</button></form>
<video poster="${hitUrl}/poster.png"></video><link rel="stylesheet" href="${hitUrl}/link.css"><meta http-equiv="refresh" content="0;url=${hitUrl}/refresh">
<p style="background-image:url('${hitUrl}/inline-bg.png')">Ihre Kanzlei Berger</p></body></html>`
    write(
      'html',
      outer(
        `Kanzlei Berger Newsletter <newsletter@kanzlei-berger.example>`,
        'Steuertipps März',
        `multipart/alternative; boundary="${alt}"`,
      ) +
        crlf(
          `--${alt}\nContent-Type: text/plain; charset=utf-8\n\nNewsletter Steuertipps März (Textfassung)\n--${alt}\nContent-Type: multipart/related; boundary="${b}"\n\n--${b}\nContent-Type: text/html; charset=utf-8\n\n${html}\n--${b}\nContent-Type: image/png\nContent-ID: <logo@kanzlei>\nContent-Transfer-Encoding: base64\n\n${png.toString('base64')}\n--${b}--\n--${alt}--\n`,
        ),
    )
  }
  // 8. A first mail from a new advisor, signed, with its public key attached (offered, never imported by itself).
  {
    const b = 'off-b1'
    const keyText = run(['--armor', '--export', newcomer])
    const entity = crlf(
      `Content-Type: multipart/mixed; boundary="${b}"\n\n--${b}\nContent-Type: text/plain; charset=utf-8\n\nGuten Tag, wir übernehmen ab April Ihre Lohnbuchhaltung. Anbei unser öffentlicher Schlüssel.\n--${b}\nContent-Type: application/pgp-keys; name="steuerbuero-neu.asc"\nContent-Disposition: attachment; filename="steuerbuero-neu.asc"\n\n${keyText}\n--${b}--\n`,
    )
    write(
      'offered',
      signedMessage(
        `Steuerbüro Neu <${addresses.newcomer}>`,
        'Ihr neues Steuerbüro',
        entity,
        run(['--armor', '--detach-sign', '-u', newcomer], entity),
      ),
    )
  }
  // 11. Encrypted, not signed; 12. encrypted and signed by a key the reader does not have.
  write(
    'encryptedUnsigned',
    encryptedMessage(
      kanzlei,
      'Rückfrage zur Reisekostenabrechnung',
      run(['--armor', '--encrypt', '-r', client], letter),
    ),
  )
  write(
    'encryptedUnknownKey',
    encryptedMessage(
      `Niemand <${addresses.nokey}>`,
      'Unterlagen von unbekannt',
      run(['--armor', '--sign', '--encrypt', '-u', nokey, '-r', client], letter),
    ),
  )
  // 10. Signed by the advisor's other key: after mail signed by the first one, the key changed.
  {
    const entity = letterEntity(
      'Guten Tag,\n\nwir haben einen neuen Schlüssel. Bitte gleichen Sie ihn bei unserem nächsten Telefonat ab.\n\nKanzlei Berger',
    )
    write(
      'keyChanged',
      signedMessage(
        kanzlei,
        'Unser neuer Schlüssel',
        entity,
        run(['--armor', '--detach-sign', '-u', advisorNew], entity),
      ),
    )
  }
  // 9. S/MIME by OpenSSL: signed by Alice (test CA), then encrypted to Fran's certificate.
  {
    const inner = crlf(
      'Content-Type: text/plain; charset=utf-8\n\nGuten Tag Frau Mandantin, Ihre Lohnunterlagen für März sind fertig.\n',
    )
    writeFileSync(join(pkiDir, 'smime.inner'), inner)
    openssl(
      [
        'smime',
        '-sign',
        '-in',
        'smime.inner',
        '-signer',
        'alice.pem',
        '-inkey',
        'alice.key',
        '-certfile',
        'ca.pem',
        '-out',
        'smime.signed',
      ],
      { cwd: pkiDir },
    )
    openssl(
      [
        'cms',
        '-encrypt',
        '-aes256',
        '-in',
        'smime.signed',
        '-from',
        'Alice Beraterin <alice@example.org>',
        '-to',
        'fran@example.org',
        '-subject',
        'Lohnunterlagen März',
        '-out',
        'smime.eml',
        'fran.pem',
      ],
      { cwd: pkiDir },
    )
    // OpenSSL writes the subject as raw UTF-8: kept byte for byte.
    write('smime', Buffer.concat([Buffer.from(trail()), readFileSync(join(pkiDir, 'smime.eml'))]))
  }
  const makeLarge = (payloadMiB: number) => {
    const b = 'large-b1'
    const payload = randomBytes(payloadMiB * 1024 * 1024)
    const entity =
      crlf(
        `Content-Type: multipart/mixed; boundary="${b}"\n\n--${b}\nContent-Type: text/plain; charset=utf-8\n\nGuten Tag,\n\nanbei der Jahresabschluss 2025 mit allen Anlagen.\n\nKanzlei Berger\n--${b}\nContent-Type: application/pdf; name="Jahresabschluss-2025.pdf"\nContent-Disposition: attachment; filename="Jahresabschluss-2025.pdf"\nContent-Transfer-Encoding: base64\n\n`,
      ) +
      payload.toString('base64').replace(/.{76}/g, '$&\r\n') +
      `\r\n--${b}--\r\n`
    const armored = run(
      ['--armor', '--compress-algo', 'none', '--sign', '--encrypt', '-u', advisor, '-r', client],
      entity,
    )
    const path = join(dir, `large-${payloadMiB}.eml`)
    writeFileSync(path, encryptedMessage(kanzlei, 'Jahresabschluss 2025 (groß)', armored))
    return path
  }
  return { dir, files, fillVault, makeLarge, close: () => gpg.close() }
}
