import { describe, expect, it } from 'vitest'
import { openMessage } from './open.ts'
import { messageTechnologies } from './technologies.ts'

const message = (received: string[]) =>
  new TextEncoder().encode(
    [
      ...received.map((value) => `Received: ${value}`),
      'From: anna@kanzlei.test',
      'To: max@mandant.test',
      'Subject: Hallo',
      'Date: Wed, 25 Nov 2026 10:00:00 +0000',
      '',
      'Text',
      '',
    ].join('\r\n'),
  )

describe('open: transport trail from the Received headers', () => {
  it('says TLS when every hop that tells says TLS, with version and cipher; local hand-offs do not count', async () => {
    const { document } = await openMessage(
      message([
        'from mail.kanzlei.test by imap.kanzlei.test with LMTP id abc; Wed, 25 Nov 2026 10:00:02 +0000',
        'from client.example (client.example [127.0.0.1])\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\r\n\tby mail.kanzlei.test (Postfix) with ESMTPSA id 4F; Wed, 25 Nov 2026 10:00:01 +0000',
      ]),
      messageTechnologies,
      { keys: [], now: new Date('2026-11-25T10:00:03Z') },
    )
    expect(document.security.transport.tls).toBe('yes')
    expect(document.security.transport.hops[1]).toMatchObject({
      by: 'mail.kanzlei.test',
      with: 'ESMTPSA',
      tls: true,
      version: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
    })
  })

  it('says no TLS as soon as one hop was plain SMTP, and unknown without evidence', async () => {
    const plain = await openMessage(
      message(['from a.example by b.example with ESMTP id 1; Wed, 25 Nov 2026 10:00:01 +0000']),
      messageTechnologies,
      { keys: [], now: new Date() },
    )
    expect(plain.document.security.transport.tls).toBe('no')
    const none = await openMessage(message([]), messageTechnologies, { keys: [], now: new Date() })
    expect(none.document.security.transport).toEqual({ tls: 'unknown', hops: [] })
  })
})
