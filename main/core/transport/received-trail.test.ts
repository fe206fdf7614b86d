import { describe, expect, it } from 'vitest'
import { parseReceived, parseTransportTrail } from './received-trail.ts'

const postfix =
  'from siegelpost (localhost [127.0.0.1])\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\r\n\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\r\n\t(No client certificate requested)\r\n\tby mail.kanzlei.test (Postfix) with ESMTPSA id 4D1A2\r\n\tfor <client@mandant.test>; Wed, 25 Nov 2026 17:00:59 +0000 (UTC)'

describe('parseTransportTrail', () => {
  it('reads Postfix, Exim and Sendmail/Gmail TLS notes and RFC 3848 protocol names', () => {
    expect(parseReceived(postfix.replace(/\r\n\t/g, ' '))).toMatchObject({
      from: 'siegelpost',
      by: 'mail.kanzlei.test',
      with: 'ESMTPSA',
      tls: true,
      version: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
      date: 'Wed, 25 Nov 2026 17:00:59 +0000 (UTC)',
    })
    expect(
      parseReceived(
        'from mx.a.de ([1.2.3.4]) by mx.b.de with esmtps (TLS1.3) tls TLS_AES_128_GCM_SHA256 (Exim 4.96) id 1; Mon, 1 Jan 2026 10:00:00 +0000',
      ),
    ).toMatchObject({ tls: true, version: 'TLS1.3', cipher: 'TLS_AES_128_GCM_SHA256' })
    expect(
      parseReceived(
        'from a by mx.google.com with ESMTPS id x (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256); Mon, 1 Jan 2026',
      ),
    ).toMatchObject({ tls: true, cipher: 'TLS_AES_256_GCM_SHA384' })
    expect(parseReceived('from a.de by b.de with ESMTP id 1; Mon, 1 Jan 2026')).toMatchObject({ tls: false })
    expect(parseReceived('from b.de by c.de with LMTP id 2; Mon, 1 Jan 2026')).toMatchObject({ tls: null })
  })

  it('says "no" when any hop says plaintext, "yes" when all that tell say TLS, "unknown" otherwise', () => {
    const mail = (...received: string[]) =>
      Buffer.from(
        `${received.map((r) => `Received: ${r}\r\n`).join('')}Subject: x\r\n\r\nReceived: from body by body with ESMTP\r\n`,
      )
    expect(parseTransportTrail(mail(postfix)).tls).toBe('yes')
    expect(parseTransportTrail(mail(postfix, 'from a by b with ESMTP; x')).tls).toBe('no')
    expect(parseTransportTrail(mail('from a by b with LMTP; x')).tls).toBe('unknown')
    expect(parseTransportTrail(mail()).tls).toBe('unknown')
    expect(parseTransportTrail(mail(postfix, 'from a by b with LMTP; x')).hops).toHaveLength(2)
  })

  it('caps a flood of Received headers', () => {
    const raw = Buffer.from(`${'Received: from a by b with ESMTPS; x\r\n'.repeat(500)}\r\nbody`)
    expect(parseTransportTrail(raw).hops).toHaveLength(64)
  })
})
