import { describe, expect, it } from 'vitest'
import { parseMime } from '../mime/parse.ts'
import type { Reading } from '../reading/open-for-reading.ts'
import { bodyWithQuote, buildReply, prefixedSubject } from './reply.ts'

/** A reading as the read view has it, made by hand: only the fields reply.ts reads. */
function readingOf(options: {
  from?: string
  to?: string[]
  cc?: string[]
  replyTo?: string[]
  subject?: string
  encryption?: 'encrypted' | 'none' | 'failed'
  parts?: Reading['parts']
}): Reading {
  return {
    document: {
      headers: {
        from: options.from ?? 'Fran <fran@example.org>',
        to: options.to ?? ['alice@example.org'],
        cc: options.cc ?? [],
        replyTo: options.replyTo ?? [],
        subject: options.subject ?? 'Lohn',
        date: '2026-12-03T09:15:00.000Z',
      },
      security: { encryption: { state: options.encryption ?? 'none' } },
    },
    parts: options.parts ?? [
      { kind: 'text', text: 'Hallo\nZeile 2', isTruncated: false, encrypted: false, signed: false },
    ],
  } as unknown as Reading
}

const root = parseMime(
  Buffer.from(
    'Message-ID: <m3@example.org>\r\nReferences: <m1@example.org>\r\n <m2@example.org>\r\n' +
      'In-Reply-To: <m2@example.org>\r\n\r\nx',
  ),
)
const request = {
  kind: 'reply' as const,
  from: 'alice@example.org',
  ownAddresses: [],
  toReplyTo: false,
  lang: 'de' as const,
}

describe('reply and forward', () => {
  it('prefixes the subject once, in the language of the reply', () => {
    expect(prefixedSubject('AW: Re: AW:Lohn', 'reply', 'de')).toBe('AW: Lohn')
    expect(prefixedSubject('Re[2]: Lohn', 'reply', 'en')).toBe('Re: Lohn')
    expect(prefixedSubject('WG: Fwd: Lohn', 'forward', 'de')).toBe('WG: Lohn')
    expect(prefixedSubject('AW: Lohn', 'forward', 'en')).toBe('Fwd: AW: Lohn')
    expect(prefixedSubject('', 'reply', 'de')).toBe('AW:')
  })

  it('threads the reply: In-Reply-To the message, References the thread and the message', () => {
    const draft = buildReply(readingOf({}), root, request)
    expect(draft.inReplyTo).toBe('<m3@example.org>')
    expect(draft.references).toEqual(['<m1@example.org>', '<m2@example.org>', '<m3@example.org>'])
    expect(draft.content.quote).toBe('Am 03.12.2026 09:15 UTC schrieb Fran <fran@example.org>:\n> Hallo\n> Zeile 2')
  })

  it('reply all: From, To and Cc without the own addresses, each once', () => {
    const reading = readingOf({
      to: ['alice@example.org', 'max@mandant.test'],
      cc: ['FRAN@example.org', 'alias@kanzlei.test'],
    })
    const draft = buildReply(reading, root, { ...request, kind: 'reply-all', ownAddresses: ['alias@kanzlei.test'] })
    expect([draft.to, draft.cc]).toEqual([['fran@example.org'], ['max@mandant.test']])
  })

  it('goes to From unless the Reply-To was chosen, and says when the Reply-To differs', () => {
    const reading = readingOf({ replyTo: ['eve@evil.test'] })
    const plain = buildReply(reading, root, request)
    expect(plain.to).toEqual(['fran@example.org'])
    expect(plain.replyTo).toEqual({ addresses: ['eve@evil.test'], differsFromFrom: true, isUsed: false })
    expect(buildReply(reading, root, { ...request, toReplyTo: true }).to).toEqual(['eve@evil.test'])
    expect(buildReply(readingOf({ replyTo: ['fran@example.org'] }), root, request).replyTo.differsFromFrom).toBe(false)
  })

  it('quotes an encrypted original only in end-to-end copies; the others get the note', () => {
    const draft = buildReply(readingOf({ encryption: 'encrypted' }), root, request)
    expect(draft.content.isEndToEndOnly).toBe(true)
    expect(bodyWithQuote('Danke', draft.content, true)).toContain('> Hallo')
    const other = bodyWithQuote('Danke', draft.content, false)
    expect(other).not.toContain('Hallo')
    expect(other).toContain('Der zitierte Text wurde weggelassen')
    expect(draft.content.subjectWithoutEndToEnd).toBe('AW: Verschlüsselte Nachricht')
  })

  it('never quotes encrypted parts left closed, their pieces, or ciphertext in the text', () => {
    const parts: Reading['parts'] = [
      {
        kind: 'text',
        text: 'Sichtbar\n-----BEGIN PGP MESSAGE-----\nabc\n-----END PGP MESSAGE-----',
        isTruncated: false,
        encrypted: false,
        signed: false,
      },
      { kind: 'not-opened', encrypted: true, signed: false },
      { kind: 'attachment', index: 0, isInClosedPart: true, encrypted: true, signed: false },
      { kind: 'attachment', index: 1, isInClosedPart: false, encrypted: false, signed: false },
    ]
    const draft = buildReply(readingOf({ parts }), root, {
      ...request,
      kind: 'forward',
      forwardTo: ['max@mandant.test'],
    })
    expect(draft.content.quote).toContain('Sichtbar\n[…]')
    expect(draft.content.quote).not.toContain('abc')
    expect(draft.attachments).toEqual([1])
    expect(draft.inReplyTo).toBeNull()
    expect(draft.subject).toBe('WG: Lohn')
  })

  it('refuses a reply with no one to reply to and a Reply-To that is not there', () => {
    expect(() =>
      buildReply(readingOf({ from: 'alice@example.org', to: ['alice@example.org'] }), root, request),
    ).toThrow(expect.objectContaining({ code: 'REPLY_NO_RECIPIENT' }))
    expect(() => buildReply(readingOf({}), root, { ...request, toReplyTo: true })).toThrow(
      expect.objectContaining({ code: 'REPLY_NO_REPLY_TO' }),
    )
  })
})
