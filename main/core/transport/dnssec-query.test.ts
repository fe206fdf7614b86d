import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { isLoopbackAddress } from '../network-policy.ts'
import { adTrust, parseResolverAddress, queryDnssec } from './dnssec-query.ts'

describe('resolver address and AD trust', () => {
  it('parses HOST, HOST:PORT, [v6]:PORT and bare v6', () => {
    expect(parseResolverAddress('127.0.0.53')).toEqual({ host: '127.0.0.53', port: 53 })
    expect(parseResolverAddress('127.0.0.6:5353')).toEqual({ host: '127.0.0.6', port: 5353 })
    expect(parseResolverAddress('[::1]:5353')).toEqual({ host: '::1', port: 5353 })
    expect(parseResolverAddress('::1')).toEqual({ host: '::1', port: 53 })
  })

  it('trusts the AD bit only from loopback', () => {
    for (const host of ['127.0.0.1', '127.0.0.53', '127.255.0.9', '::1'])
      expect(isLoopbackAddress(host), host).toBe(true)
    for (const host of [
      '128.0.0.1',
      '10.0.0.1',
      '192.168.1.1',
      '::ffff:8.8.8.8',
      '127.evil.example',
      'localhost.evil',
      '1.1.1.1',
    ])
      expect(isLoopbackAddress(host), host).toBe(false)
    expect(adTrust({ host: '9.9.9.9', port: 53 })).toMatchObject({
      trusted: false,
      reason: expect.stringMatching(/not on loopback/),
    })
    expect(adTrust({ host: '127.0.0.53', port: 53 }).trusted).toBe(true)
  })
})

describe('queryDnssec', () => {
  const answerTo = (
    query: dnsPacket.Packet,
    overrides: Partial<dnsPacket.Packet> & { flags?: number },
    count = 1,
  ): Buffer =>
    dnsPacket.encode({
      id: query.id,
      type: 'response',
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.AUTHENTIC_DATA,
      questions: query.questions,
      answers: Array.from({ length: count }, (_, i) => ({
        name: query.questions![0]!.name,
        type: 'MX' as const,
        ttl: 60,
        class: 'IN' as const,
        data: { preference: i, exchange: `mx${i}.example.test` },
      })),
      ...overrides,
    })

  it('sends the DO bit, ignores answers with a wrong id or question, and takes AD from the real one', async () => {
    const server = createSocket('udp4')
    let seen: dnsPacket.Packet | null = null
    server.on('message', (message, remote) => {
      const query = dnsPacket.decode(message)
      seen = query
      // Spoofed first: wrong id, then the wrong question; both must be ignored.
      server.send(answerTo({ ...query, id: (query.id! + 1) & 0xffff }, {}), remote.port, remote.address)
      server.send(
        answerTo({ ...query, questions: [{ name: 'evil.test', type: 'MX', class: 'IN' }] }, {}),
        remote.port,
        remote.address,
      )
      server.send(answerTo(query, {}), remote.port, remote.address)
    })
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', () => resolve()))
    try {
      const answer = await queryDnssec({ host: '127.0.0.1', port: server.address().port }, 'example.test', 'MX', 2000)
      expect(answer).toMatchObject({ rcode: 'NOERROR', ad: true, tcp: false })
      expect(answer.answers).toHaveLength(1)
      const opt = seen!.additionals!.find((a) => a.type === 'OPT') as unknown as {
        flags: number
        udpPayloadSize: number
      }
      expect(opt.flags & dnsPacket.DNSSEC_OK).toBe(dnsPacket.DNSSEC_OK)
    } finally {
      server.close()
    }
  })

  it('asks again over TCP when the UDP answer is truncated, and times out when nobody answers', async () => {
    const udp = createSocket('udp4')
    udp.on('message', (message, remote) => {
      const query = dnsPacket.decode(message)
      udp.send(answerTo(query, { flags: dnsPacket.TRUNCATED_RESPONSE, answers: [] }), remote.port, remote.address)
    })
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', () => resolve()))
    const port = udp.address().port
    const tcp = createServer((socket) => {
      socket.once('data', (data) =>
        socket.end(dnsPacket.streamEncode(dnsPacket.decode(answerTo(dnsPacket.streamDecode(data), {}, 3)))),
      )
    })
    await new Promise<void>((resolve) => tcp.listen(port, '127.0.0.1', () => resolve()))
    try {
      const answer = await queryDnssec({ host: '127.0.0.1', port }, 'example.test', 'MX', 2000)
      expect(answer).toMatchObject({ rcode: 'NOERROR', ad: true, tcp: true })
      expect(answer.answers).toHaveLength(3)
    } finally {
      udp.close()
      tcp.close()
    }
    const silent = createSocket('udp4')
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', () => resolve()))
    try {
      await expect(
        queryDnssec({ host: '127.0.0.1', port: silent.address().port }, 'example.test', 'MX', 200),
      ).rejects.toMatchObject({ code: 'ETIMEOUT' })
    } finally {
      silent.close()
    }
  })
})
