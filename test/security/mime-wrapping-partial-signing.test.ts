import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AttackLab,
  headerLines,
  mail,
  message,
  multipart,
  part,
  pgpMimeSigned,
  warningCodes,
} from '../helpers/attack-lab.ts'
import { hasGpg } from '../helpers/gpg.ts'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt } from '../helpers/run-cli.ts'

/**
 * MIME wrapping and partial signing ("Johnny, You Are Fired!", USENIX Security 2019, §MIME
 * attacks): a genuine signed part of the boss is wrapped into a mail whose other, unsigned parts say
 * something else. Siegelpost calls a mail signed only when the signature covers everything shown;
 * otherwise the verdict is `none` with the reason, `partly-protected` is warned and `parts` says
 * which part is what.
 */
const skip = skipUnless('gpg', hasGpg, 'apt-get install gnupg')
let lab: AttackLab
const boss = 'Chef <boss@office.example>'
const headers = (subject: string) => headerLines(boss, 'reader@office.example', subject)
const genuine = () =>
  pgpMimeSigned(
    lab,
    'boss@office.example',
    part(['Content-Type: text/plain; charset=utf-8'], 'Die Rechnung ist bezahlt.\n'),
  )
const attackerText = part(['Content-Type: text/plain; charset=utf-8'], 'Neue Bankverbindung: DE00 6666 6666 6666\n')
const clearsigned = (text: string) => lab.gpgRun(['--clearsign', '-u', 'boss@office.example'], text).toString()

beforeAll(() => {
  if (skip) return
  assertBuilt()
  lab = new AttackLab()
  lab.gpgKey('Chef <boss@office.example>')
  lab.importGpgKeys()
}, 120_000)
afterAll(() => lab?.close())

describe.skipIf(skip)('MIME wrapping and partial signing', () => {
  it('control: the genuine signed mail alone is valid, one signed text part', () => {
    const doc = lab.open(message(headers('Rechnung'), genuine()))
    expect(doc.security.signature).toMatchObject({ state: 'valid', signer: 'boss@office.example' })
    expect(doc.parts).toEqual([{ kind: 'text', encrypted: false, signed: true }])
  })

  it('multipart/mixed: attacker text beside the genuine signed part is not signed, partly-protected', () => {
    const doc = lab.open(message(headers('Rechnung'), multipart('mixed', 'wrap', [attackerText, genuine()])))
    expect(doc.security.signature).toMatchObject({ state: 'none', code: null, signer: null })
    expect(warningCodes(doc)).toEqual(['partly-protected'])
    expect(doc.parts).toEqual([
      { kind: 'text', encrypted: false, signed: false },
      { kind: 'text', encrypted: false, signed: false },
    ])
    expect(doc.text).toContain('DE00 6666')
  })

  it('multipart/related: an unsigned HTML root that pulls the signed part in by cid is not signed', () => {
    const root = part(
      ['Content-Type: text/html; charset=utf-8'],
      '<p>Neue Bankverbindung: DE00 6666</p><img src="cid:signed@x">\n',
    )
    const signed = Buffer.concat([Buffer.from('Content-ID: <signed@x>\r\n'), genuine()])
    const related = multipart('related', 'rel', [root, signed], '; type="text/html"')
    const doc = lab.open(message(headers('Rechnung'), related))
    expect(doc.security.signature).toMatchObject({ state: 'none', code: null })
    expect(warningCodes(doc)).toEqual(['partly-protected'])
    expect(doc.parts.map((p) => [p.kind, p.signed])).toEqual([
      ['html', false],
      ['text', false],
    ])
  })

  it('message/rfc822: a forwarded signed mail is an attachment; its signature is not this mail’s', () => {
    const inner = message(headers('Original'), genuine())
    const forwarded = part(['Content-Type: message/rfc822', 'Content-Disposition: inline'], inner)
    const doc = lab.open(message(headers('WG: Rechnung'), multipart('mixed', 'fwd', [attackerText, forwarded])))
    expect(doc.security.signature).toMatchObject({ state: 'none', signer: null })
    expect(doc.parts).toEqual([
      { kind: 'text', encrypted: false, signed: false },
      { kind: 'attachment', encrypted: false, signed: false },
    ])
    expect(doc.attachments.map((a) => a.contentType)).toEqual(['message/rfc822'])
    // The forwarded mail opened on its own is the boss's valid mail again; saved, it is byte for byte the original
    // (an unencrypted mail's attachments are read from the file, which stays open until they are saved).
    expect(lab.open(inner).security.signature.state).toBe('valid')
    const file = lab.file(message(headers('WG: Rechnung'), multipart('mixed', 'fwd', [attackerText, forwarded])))
    lab.ok('open', file, '--json', '--save-attachments', join(lab.dir, 'saved'))
    expect(readdirSync(join(lab.dir, 'saved')).map((name) => readFileSync(join(lab.dir, 'saved', name)))).toEqual([
      inner,
    ])
  })

  it('inline PGP: text before and after a clearsigned block is not signed, partly-protected', () => {
    const text = `Neue Bankverbindung: DE00 6666\n\n${clearsigned('Die Rechnung ist bezahlt.\n')}\nGruss\n`
    const doc = lab.open(mail([...headers('Rechnung'), 'Content-Type: text/plain; charset=utf-8'], text))
    expect(doc.security.signature).toMatchObject({ state: 'none', code: null })
    expect(warningCodes(doc)).toEqual(['partly-protected'])
    expect(doc.parts).toEqual([{ kind: 'text', encrypted: false, signed: false }])
  })

  it('inline PGP in a multipart: a clearsigned text part beside attacker text is not signed, partly-protected', () => {
    const signedText = part(['Content-Type: text/plain; charset=utf-8'], clearsigned('Die Rechnung ist bezahlt.\n'))
    const doc = lab.open(message(headers('Rechnung'), multipart('mixed', 'inl', [attackerText, signedText])))
    expect(doc.security.signature.state).toBe('none')
    expect(doc.security.signature.code).toBeNull()
    expect(warningCodes(doc)).toEqual(['partly-protected'])
    expect(doc.parts.map((p) => p.signed)).toEqual([false, false])
  })

  it('HTML hiding the unsigned part: a signed part beside HTML that hides it is not signed', () => {
    const hiding = part(
      ['Content-Type: text/html; charset=utf-8'],
      '<style>.s{display:none}</style><p>Neue Bankverbindung: DE00 6666</p><div class="s">\n',
    )
    const doc = lab.open(message(headers('Rechnung'), multipart('mixed', 'hide', [hiding, genuine()])))
    expect(doc.security.signature).toMatchObject({ state: 'none', code: null })
    expect(warningCodes(doc)).toEqual(['partly-protected'])
    expect(doc.parts.map((p) => [p.kind, p.signed])).toEqual([
      ['html', false],
      ['text', false],
    ])
  })

  it('inline PGP in HTML: only the signed text is shown, never the markup around it', () => {
    const block = clearsigned('Die Rechnung ist bezahlt.\n')
    const style = '<style>body::before{content:"Neue Bankverbindung: DE00 6666"}</style>'
    const html = `<html><head>${style}</head><body><pre>${block}</pre></body></html>\n`
    const doc = lab.open(mail([...headers('Rechnung'), 'Content-Type: text/html; charset=utf-8'], html))
    // The signature covers the text, and the text is all that is shown: a text part, not the HTML.
    expect(doc.security.signature).toMatchObject({ state: 'valid', signer: 'boss@office.example' })
    expect(doc.text.trim()).toBe('Die Rechnung ist bezahlt.')
    expect(doc.parts).toEqual([{ kind: 'text', encrypted: false, signed: true }])
  })
})
