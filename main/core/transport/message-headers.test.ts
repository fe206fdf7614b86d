import { describe, expect, it } from 'vitest'
import { isEndToEndEncrypted, readMessageHeaders } from './message-headers.ts'

describe('readMessageHeaders', () => {
  it('reads the envelope from From/To/Cc/Bcc with folding, groups and names', () => {
    const raw = Buffer.from('From: "Kanzlei, Berger" <advisor@kanzlei.test>\r\nTo: Mandant <a@firma.de>,\r\n b@firma.de\r\nCc: Team: c@firma.de, A@FIRMA.DE;\r\nBcc: d@firma.de\r\nSubject: =?utf-8?q?Bescheid?=\r\nMessage-ID: <1@k>\r\n\r\nTo: not-a-header@x.de\r\n')
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
