import addressparser from 'nodemailer/lib/addressparser'
import { describe, expect, it } from 'vitest'
import { envelopeOf, parsedAddresses } from './envelope.ts'

describe('parsedAddresses', () => {
  it('gives what addressparser gives, for the simple forms it reads itself and for every other form', () => {
    const values = [
      'advisor@kanzlei.test',
      '  advisor@kanzlei.test ',
      'Kanzlei <advisor@kanzlei.test>',
      'Kanzlei Schmidt & Partner <advisor@kanzlei.test>',
      "Jürgen O'Neill-Meyer <j.oneill@mandant.test>",
      'Kanzlei<advisor@kanzlei.test>',
      'Kanzlei  Schmidt <advisor@kanzlei.test>',
      '"Müller, Hans" <hans@mandant.test>',
      '"Kanzlei" <advisor@kanzlei.test>',
      'Dr. Müller <mueller@mandant.test>',
      'a@b.test, c@d.test',
      'Team: a@b.test, c@d.test;',
      'advisor@kanzlei.test (Kanzlei)',
      '<advisor@kanzlei.test>',
      'Kanzlei <advisor@kanzlei.test',
      'a@b@c.test',
      'Kanzlei <advisor.name+tag@sub.kanzlei.test>',
      'undisclosed-recipients:;',
      '',
      '名前 <name@example.test>',
    ]
    for (const value of values) expect(parsedAddresses(value), value).toEqual(addressparser(value, { flatten: true }))
  })
})

describe('envelopeOf', () => {
  it('reads the header and the body start of a message whose body is larger than the header window', () => {
    const body = `-----BEGIN PGP MESSAGE-----\r\n${'x'.repeat(300 * 1024)}\r\n`
    const raw = Buffer.from(`From: Kanzlei <a@kanzlei.test>\r\nSubject: Akte\r\n\r\n${body}`)
    const row = envelopeOf(raw)
    expect(row).toMatchObject({ from: 'Kanzlei <a@kanzlei.test>', subject: 'Akte', state: 'ok' })
    expect(row.protection).toEqual({ encryption: 'encrypted', signature: 'unknown' })
    const lf = envelopeOf(Buffer.from(`From: a@kanzlei.test\nSubject: LF\n\n${'y'.repeat(10_000)}`))
    expect(lf).toMatchObject({ from: 'a@kanzlei.test', subject: 'LF', state: 'ok' })
  })

  it('ends the header at its first empty line, bare LF before a later CRLF one, and a CRLF one before later LFs', () => {
    const armor = '-----BEGIN PGP MESSAGE-----'
    const lfFirst = envelopeOf(Buffer.from(`From: a@kanzlei.test\nSubject: LF\n\n${armor}\r\n\r\nx\r\n`))
    expect(lfFirst).toMatchObject({ subject: 'LF', protection: { encryption: 'encrypted' } })
    const crlfFirst = envelopeOf(Buffer.from(`Subject: CRLF\r\n\r\n${armor}\n\nSubject: body\n`))
    expect(crlfFirst).toMatchObject({ subject: 'CRLF', protection: { encryption: 'encrypted' } })
  })
})

describe('envelopeOf: the sender address is the one written, never one decoded out of a name', () => {
  const fromOf = (from: string) => envelopeOf(Buffer.from(`From: ${from}\r\nSubject: x\r\n\r\nText\r\n`, 'utf8'))

  it('an encoded word that decodes to "Boss <boss@bank.test>," stays a name; the address is the real one', () => {
    for (const spoof of [
      '=?utf-8?q?Boss_=3Cboss@bank.test=3E,?= <e@att.test>',
      `=?utf-8?b?${Buffer.from('Boss <boss@bank.test>,').toString('base64')}?= <e@att.test>`,
    ]) {
      const row = fromOf(spoof)
      expect(row.fromAddress, spoof).toBe('e@att.test')
      expect(row.from, spoof).toMatch(/(^|<)e@att\.test>?$/)
    }
  })

  it('encoded and 8-bit names are still decoded; an 8-bit address is read as UTF-8', () => {
    expect(fromOf('=?utf-8?q?M=C3=BCller?= <m@mandant.test>')).toMatchObject({
      from: 'Müller <m@mandant.test>',
      fromAddress: 'm@mandant.test',
    })
    expect(fromOf('Jürgen Müller <jürgen@mandant.test>')).toMatchObject({
      from: 'Jürgen Müller <jürgen@mandant.test>',
      fromAddress: 'jürgen@mandant.test',
    })
  })
})
