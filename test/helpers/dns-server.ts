import { createSocket } from 'node:dgram'
import dnsPacket from 'dns-packet'

/**
 * A tiny authoritative DNS server on loopback UDP for the domain-check tests (`SIEGELPOST_DNS=HOST:PORT`).
 * Unknown names answer NXDOMAIN; known names without the asked type answer NOERROR with no data.
 */
export interface Zone {
  MX?: { exchange: string; preference: number }[]
  TXT?: string[]
  TLSA?: { usage: number; selector: number; matchingType: number; certificate: Buffer }[]
  A?: string[]
}

export async function startDnsServer(
  zones: Record<string, Zone>,
): Promise<{ address: string; queries: string[]; close: () => Promise<void> }> {
  const socket = createSocket('udp4')
  const queries: string[] = []
  socket.on('message', (message, remote) => {
    const query = dnsPacket.decode(message)
    const question = query.questions?.[0]
    if (!question) return
    queries.push(`${question.type} ${question.name}`)
    const zone = zones[question.name.toLowerCase()]
    const answers: dnsPacket.Answer[] = []
    if (zone) {
      const base = { name: question.name, ttl: 60, class: 'IN' as const }
      if (question.type === 'MX') for (const mx of zone.MX ?? []) answers.push({ ...base, type: 'MX', data: mx })
      if (question.type === 'TXT') for (const txt of zone.TXT ?? []) answers.push({ ...base, type: 'TXT', data: [txt] })
      if (question.type === 'A') for (const a of zone.A ?? []) answers.push({ ...base, type: 'A', data: a })
      if (question.type === 'TLSA')
        for (const t of zone.TLSA ?? []) answers.push({ ...base, type: 'TLSA', data: t } as dnsPacket.Answer)
    }
    const response = dnsPacket.encode({
      id: query.id,
      type: 'response',
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (zone ? 0 : 3),
      questions: query.questions,
      answers,
    })
    socket.send(response, remote.port, remote.address)
  })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
  return {
    address: `127.0.0.1:${socket.address().port}`,
    queries,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  }
}
