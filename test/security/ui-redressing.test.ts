import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ReadingDocument } from '../../main/core/reading/reading-document.ts'
import { securitySummaryOf } from '../../main/core/reading/security-state.ts'
import {
  AttackLab,
  headerLines,
  mail,
  message,
  multipart,
  part,
  pgpMimeSigned,
  type OpenDoc,
} from '../helpers/attack-lab.ts'
import { hasGpg } from '../helpers/gpg.ts'
import { skipUnless } from '../helpers/needs.ts'
import { assertBuilt } from '../helpers/run-cli.ts'

/**
 * UI redressing ("Johnny, You Are Fired!", USENIX Security 2019, §UI attacks): the mail draws its
 * own "encrypted and signed" badge — in HTML, in the text, in the Subject or the sender's name.
 * The security bar is made only from the verdict (`open --json` → the 13 states of UI.md §2.2),
 * never from anything the mail contains, and the mail's own rendering cannot cover it. This file
 * proves the first half through the CLI and the state mapping the bar uses; the second half (the
 * sandboxed frame below an uncovered bar, the personal security pattern that no mail can know) is
 * asserted in Chromium by test/e2e/read-view.e2e.test.ts ("HTML: sanitized in a sandboxed frame, no
 * request, no script, the bar stays on top and uncovered"; "the personal security pattern is
 * chosen in the settings and shown in the bar").
 */
const skip = skipUnless('gpg', hasGpg, 'apt-get install gnupg')
let lab: AttackLab
const fakeBar =
  '<div style="position:fixed;top:0;left:0;right:0;background:#1b7f3b;color:#fff;z-index:99999">' +
  '&#128274;&#10004; Verschlüsselt und signiert von Chef &lt;boss@office.example&gt; — Schlüssel geprüft</div>' +
  '<p>Bitte überweisen Sie 5.000 EUR auf DE00 6666.</p>'
const summary = (doc: OpenDoc) => securitySummaryOf(doc as unknown as ReadingDocument)

beforeAll(() => {
  if (skip) return
  assertBuilt()
  lab = new AttackLab()
  lab.gpgKey('Eve <eve@office.example>')
  lab.gpgKey('Chef <boss@office.example>')
  lab.importGpgKeys()
}, 120_000)
afterAll(() => lab?.close())

describe.skipIf(skip)('UI redressing: a mail cannot draw the security bar', () => {
  it('a fake green bar in HTML, a badge in the text, Subject and sender name: plain (state 12), neutral', () => {
    const imitations = [
      mail(
        [...headerLines('Chef <boss@office.example>', 'r@office.example', 'Zahlung'), 'Content-Type: text/html'],
        fakeBar,
      ),
      mail(
        [...headerLines('Chef <boss@office.example>', 'r@office.example', 'Zahlung'), 'Content-Type: text/plain'],
        '🔒 ✔ Verschlüsselt und signiert (S/MIME, geprüft)\n-------------------------------\nBitte überweisen.\n',
      ),
      mail(
        headerLines(
          '"✔ Signiert: Chef" <boss@office.example>',
          'r@office.example',
          '[🔒 Verschlüsselt ✔ Signiert] Zahlung',
        ),
        'Bitte überweisen.\n',
      ),
    ]
    for (const bytes of imitations) {
      const doc = lab.open(bytes)
      expect(doc.security.encryption.state).toBe('none')
      expect(doc.security.signature.state).toBe('none')
      expect(summary(doc)).toMatchObject({
        state: 'plain',
        number: 12,
        tone: 'neutral',
        confidentiality: 'not-encrypted',
        authenticity: 'not-signed',
      })
      expect(doc.parts.every((p) => !p.encrypted && !p.signed)).toBe(true)
    }
  })

  it('a genuine signature by eve under HTML that claims encryption by the boss: signed by eve, never green', () => {
    const html = part(['Content-Type: text/html; charset=utf-8'], fakeBar)
    const doc = lab.open(
      message(
        headerLines('Eve <eve@office.example>', 'r@office.example', 'x'),
        pgpMimeSigned(lab, 'eve@office.example', html),
      ),
    )
    expect(doc.security.signature).toMatchObject({ state: 'valid', signer: 'eve@office.example' })
    const state = summary(doc)
    expect(state).toMatchObject({ state: 'signed', tone: 'info', confidentiality: 'not-encrypted' })
    expect(doc.parts).toEqual([{ kind: 'html', encrypted: false, signed: true }])
  })

  it('a display name that imitates a verified sender is a warning beside the bar', () => {
    const from = '"✔ boss@office.example (verifiziert)" <eve@office.example>'
    const signed = pgpMimeSigned(lab, 'eve@office.example', part(['Content-Type: text/plain'], 'Zahlung.\n'))
    const doc = lab.open(message(headerLines(from, 'r@office.example', 'x'), signed))
    const state = summary(doc)
    expect(state.state).toBe('signed')
    expect(state.warnings.map((w) => w.code)).toEqual(['from-display-address'])
  })

  it('the fake bar beside a genuine signed part: partly protected (state 11, caution), not signed', () => {
    const genuine = pgpMimeSigned(lab, 'boss@office.example', part(['Content-Type: text/plain'], 'Bezahlt.\n'))
    const fake = part(['Content-Type: text/html; charset=utf-8'], fakeBar)
    const doc = lab.open(
      message(
        headerLines('Chef <boss@office.example>', 'r@office.example', 'x'),
        multipart('mixed', 'ui', [fake, genuine]),
      ),
    )
    expect(summary(doc)).toMatchObject({ state: 'partly-protected', number: 11, tone: 'caution' })
    expect(doc.security.signature.state).toBe('none')
  })
})
