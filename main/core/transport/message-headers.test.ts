import { describe, expect, it } from 'vitest'
import { isEndToEndEncrypted, readMessageHeaders, withoutBcc } from './message-headers.ts'

describe('readMessageHeaders', () => {
  it('reads the envelope from From/To/Cc/Bcc with folding, groups and names', () => {
    const raw = Buffer.from(
      'From: "Kanzlei, Berger" <advisor@kanzlei.test>\r\nTo: Mandant <a@firma.de>,\r\n b@firma.de\r\nCc: Team: c@firma.de, A@FIRMA.DE;\r\nBcc: d@firma.de\r\nSubject: =?utf-8?q?Bescheid?=\r\nMessage-ID: <1@k>\r\n\r\nTo: not-a-header@x.de\r\n',
    )
    expect(readMessageHeaders(raw, 'm.eml')).toEqual({
      from: 'advisor@kanzlei.test',
      recipients: ['a@firma.de', 'b@firma.de', 'c@firma.de', 'd@firma.de'],
      subject: '=?utf-8?q?Bescheid?=',
      messageId: '<1@k>',
      isEndToEnd: false,
    })
  })

  it('refuses a message without sender or recipients', () => {
    expect(() => readMessageHeaders(Buffer.from('To: a@b.de\r\n\r\n'), 'x.eml')).toThrow(/From/)
    expect(() => readMessageHeaders(Buffer.from('From: a@b.de\r\n\r\n'), 'x.eml')).toThrow(/To, Cc|Bcc/)
  })

  it('recognizes S/MIME and PGP/MIME encryption at the top level only', () => {
    expect(isEndToEndEncrypted('application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m')).toBe(true)
    expect(isEndToEndEncrypted('application/pkcs7-mime; smime-type=authEnveloped-data')).toBe(true)
    expect(isEndToEndEncrypted('application/pkcs7-mime; smime-type=signed-data')).toBe(false)
    expect(isEndToEndEncrypted('multipart/encrypted; protocol="application/pgp-encrypted"; boundary=x')).toBe(true)
    expect(isEndToEndEncrypted('multipart/mixed; boundary=x')).toBe(false)
  })
})

describe('withoutBcc', () => {
  it('drops top-level Bcc and Resent-Bcc fields, folded lines included, and nothing else', () => {
    const body = 'Bcc: im-text@firma.de\r\n\r\nbleibt\r\n'
    const raw = Buffer.from(
      `From: a@kanzlei.test\r\nBCC: geheim@firma.de,\r\n\tnoch-geheimer@firma.de\r\nTo: b@firma.de\r\nResent-Bcc: r@firma.de\r\nSubject: x\r\nbcc:letzte@firma.de\r\n\r\n${body}`,
    )
    expect(withoutBcc(raw).toString('latin1')).toBe(
      `From: a@kanzlei.test\r\nTo: b@firma.de\r\nSubject: x\r\n\r\n${body}`,
    )
  })

  it('keeps the bytes (the same buffer) when there is no Bcc, with LF line ends and 8-bit bytes too', () => {
    const raw = Buffer.concat([
      Buffer.from('From: a@k.test\nTo: b@f.de\nSubject: '),
      Buffer.from([0xe4, 0xfc]),
      Buffer.from('\n\nBcc: body@f.de\n'),
    ])
    expect(withoutBcc(raw)).toBe(raw)
    const lf = Buffer.concat([
      Buffer.from('From: a@k.test\nBcc: g@f.de\nSubject: '),
      Buffer.from([0xe4, 0xfc]),
      Buffer.from('\n\nx\n'),
    ])
    expect(withoutBcc(lf)).toEqual(
      Buffer.concat([Buffer.from('From: a@k.test\nSubject: '), Buffer.from([0xe4, 0xfc]), Buffer.from('\n\nx\n')]),
    )
  })

  it('handles a header block without body and a Bcc-only header block', () => {
    expect(withoutBcc(Buffer.from('To: a@b.de\r\nBcc: c@d.de')).toString()).toBe('To: a@b.de\r\n')
    expect(withoutBcc(Buffer.from('Bcc: c@d.de\r\n\r\nx')).toString()).toBe('\r\nx')
  })
})
