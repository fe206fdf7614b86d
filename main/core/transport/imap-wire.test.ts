import { describe, expect, it } from 'vitest'
import { sentFolderAmong } from './imap-append.ts'
import { ImapReader, astring, decodeMailboxName, parseList, type ImapResponse } from './imap-wire.ts'

const limits = { lineBytes: 1024, literalBytes: 64 }

async function responsesOf(wire: string): Promise<ImapResponse[]> {
  const reader = new ImapReader(limits)
  reader.push(Buffer.from(wire, 'latin1'))
  reader.fail(new Error('end'))
  const out: ImapResponse[] = []
  for (;;) {
    try {
      out.push(await reader.next())
    } catch {
      return out
    }
  }
}

describe('the IMAP wire pieces of the streamed APPEND', () => {
  it('reads responses split anywhere, with literals inside them', async () => {
    const reader = new ImapReader(limits)
    const wire = '* LIST () "/" {8}\r\nGesendet\r\nS1 OK done\r\n'
    const list = reader.next()
    for (const byte of Buffer.from(wire)) {
      reader.push(Buffer.from([byte]))
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(await list).toEqual({ text: ['* LIST () "/" {8}', ''], literals: [Buffer.from('Gesendet')] })
    expect((await reader.next()).text).toEqual(['S1 OK done'])
  })

  it('refuses a line or a literal over its bound instead of buffering it', async () => {
    const long = new ImapReader(limits)
    long.push(Buffer.alloc(2000, 0x41))
    await expect(long.next()).rejects.toThrow('line too long')
    const big = new ImapReader(limits)
    big.push(Buffer.from('* LIST () "/" {65}\r\n'))
    await expect(big.next()).rejects.toThrow('literal too large')
  })

  it('parses LIST names as listed: atoms, quoted strings with escapes, literals, NIL delimiters', async () => {
    const [a, b, c, d] = await responsesOf(
      '* LIST (\\HasNoChildren \\Sent) "/" Sent\r\n' +
        '* LIST () "." "INBOX.Gesendete \\"Objekte\\""\r\n' +
        '* LIST (\\Noselect) NIL {5}\r\nSpam!\r\n' +
        '* LIST () "/" "&AMk-l&AOk-ments envoy&AOk-s"\r\n',
    )
    expect(parseList(a!)).toEqual({ attributes: ['\\HasNoChildren', '\\Sent'], delimiter: '/', listed: 'Sent' })
    expect(parseList(b!)).toEqual({ attributes: [], delimiter: '.', listed: 'INBOX.Gesendete "Objekte"' })
    expect(parseList(c!)).toEqual({ attributes: ['\\Noselect'], delimiter: null, listed: 'Spam!' })
    expect(decodeMailboxName(parseList(d!)!.listed)).toBe('Éléments envoyés')
    expect(decodeMailboxName('Tom &- Jerry')).toBe('Tom & Jerry')
  })

  it('sends names back as they were listed: quoted when printable, else a literal', () => {
    expect(astring(Buffer.from('Gesendete "Objekte"'))).toEqual({ quoted: '"Gesendete \\"Objekte\\""' })
    expect(astring(Buffer.from('Geschäft', 'utf8'))).toEqual({ literal: Buffer.from('Geschäft', 'utf8') })
  })

  it("picks the Sent folder: the server's \\Sent first, then a known name, never a \\Noselect one", () => {
    const entry = (listed: string, attributes: string[] = []) => ({ attributes, delimiter: '/', listed })
    expect(sentFolderAmong([entry('Sent Items'), entry('Archiv/Ausgang', ['\\Sent'])], true)?.listed).toBe(
      'Archiv/Ausgang',
    )
    expect(sentFolderAmong([entry('INBOX'), entry('Gesendete Objekte')], false)?.listed).toBe('Gesendete Objekte')
    expect(sentFolderAmong([entry('Sent', ['\\Noselect']), entry('INBOX')], true)).toBeNull()
  })
})
