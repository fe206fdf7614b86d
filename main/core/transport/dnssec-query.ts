import { randomInt } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { isIP, Socket } from 'node:net'
import dnsPacket from 'dns-packet'
import { isLoopbackAddress } from '../network-policy.ts'

/**
 * DNS queries with the DNSSEC OK bit (EDNS0, RFC 3225/6891) to one recursive resolver, over UDP with
 * a fall back to TCP when the answer is truncated — what Postfix does with `smtp_dns_support_level =
 * dnssec`. We do not validate signatures ourselves: the resolver does, and says so with the AD bit.
 * The AD bit is only worth something when the path to the resolver cannot be tampered with, so it is
 * trusted only from a resolver on loopback (127.0.0.0/8, ::1) — the admin's local validating resolver
 * (unbound, systemd-resolved with DNSSEC=yes). From any other resolver, AD is reported but not believed.
 */
export interface ResolverAddress {
  host: string
  port: number
}

export interface DnssecAnswer {
  /** NOERROR, NXDOMAIN, SERVFAIL, … */
  rcode: string
  /** The resolver set the AD bit (it validated the answer) — believe it only with `adTrust(...)`. */
  ad: boolean
  answers: dnsPacket.Answer[]
  /** RFC 8914 Extended DNS Errors the resolver attached ("EDE 6: validation failure …" = DNSSEC Bogus). */
  extendedErrors: string[]
  /** The answer came over TCP after a truncated UDP answer. */
  tcp: boolean
}

/** "127.0.0.1", "127.0.0.1:5353", "[::1]:53", "::1" → host and port (53 by default). */
export function parseResolverAddress(server: string): ResolverAddress {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(server)
  if (bracketed) return { host: bracketed[1]!, port: Number(bracketed[2] ?? 53) }
  if (isIP(server) === 6) return { host: server, port: 53 }
  const hostPort = /^([^:]+):(\d+)$/.exec(server)
  if (hostPort) return { host: hostPort[1]!, port: Number(hostPort[2]) }
  return { host: server, port: 53 }
}

/** Whether the AD bit of this resolver is believed, and why (or why not). */
export function adTrust(address: ResolverAddress): { trusted: boolean; reason: string } {
  const name = `${address.host}:${address.port}`
  return isLoopbackAddress(address.host)
    ? { trusted: true, reason: `local resolver ${name} (loopback): its AD bit is trusted` }
    : {
        trusted: false,
        reason: `resolver ${name} is not on loopback: the way to it is not protected, so its AD bit (DNSSEC validated) cannot be trusted — run a local validating resolver (unbound, or systemd-resolved with DNSSEC=yes)`,
      }
}

const udpPayloadSize = 1232
const extendedErrorOption = 15

function queryPacket(id: number, name: string, type: dnsPacket.RecordType): dnsPacket.Packet {
  return {
    id,
    type: 'query',
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.AUTHENTIC_DATA,
    questions: [{ name, type, class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize, flags: dnsPacket.DNSSEC_OK } as dnsPacket.Answer],
  }
}

function toAnswer(packet: dnsPacket.Packet & { flag_ad?: boolean; rcode?: string }, tcp: boolean): DnssecAnswer {
  const extendedErrors: string[] = []
  for (const extra of packet.additionals ?? []) {
    if (extra.type !== 'OPT') continue
    for (const option of (extra as { options?: { code: number; data?: Buffer }[] }).options ?? []) {
      if (option.code === extendedErrorOption && option.data && option.data.length >= 2) {
        extendedErrors.push(
          `EDE ${option.data.readUInt16BE(0)}${option.data.length > 2 ? `: ${option.data.subarray(2).toString('utf8')}` : ''}`,
        )
      }
    }
  }
  return {
    rcode: packet.rcode ?? 'NOERROR',
    ad: packet.flag_ad === true,
    answers: packet.answers ?? [],
    extendedErrors,
    tcp,
  }
}

/** The answer belongs to our question: same id, a response, the same name and type. */
function matches(packet: dnsPacket.Packet, id: number, name: string, type: string): boolean {
  const question = packet.questions?.[0]
  return (
    packet.id === id &&
    packet.type === 'response' &&
    question !== undefined &&
    question.name.toLowerCase() === name.toLowerCase() &&
    question.type === type
  )
}

function overUdp(
  address: ResolverAddress,
  name: string,
  type: dnsPacket.RecordType,
  timeoutMs: number,
): Promise<dnsPacket.Packet> {
  return new Promise((resolve, reject) => {
    const id = randomInt(0, 0x10000)
    const socket = createSocket(isIP(address.host) === 6 ? 'udp6' : 'udp4')
    let finished = false
    const done = (error: Error | null, packet?: dnsPacket.Packet) => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      socket.close()
      if (error) reject(error)
      else resolve(packet!)
    }
    const timer = setTimeout(() => done(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })), timeoutMs)
    socket.on('error', (error) => done(error))
    socket.on('message', (message, remote) => {
      if (remote.port !== address.port) return
      let packet: dnsPacket.Packet
      try {
        packet = dnsPacket.decode(message)
      } catch {
        return // not a DNS message: wait for the real answer
      }
      if (matches(packet, id, name, type)) done(null, packet)
    })
    socket.connect(address.port, address.host, () => socket.send(dnsPacket.encode(queryPacket(id, name, type))))
  })
}

function overTcp(
  address: ResolverAddress,
  name: string,
  type: dnsPacket.RecordType,
  timeoutMs: number,
): Promise<dnsPacket.Packet> {
  return new Promise((resolve, reject) => {
    const id = randomInt(0, 0x10000)
    const socket = new Socket()
    let buffered = Buffer.alloc(0)
    const done = (error: Error | null, packet?: dnsPacket.Packet) => {
      socket.destroy()
      if (error) reject(error)
      else resolve(packet!)
    }
    socket.setTimeout(timeoutMs, () => done(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })))
    socket.on('error', (error) => done(error))
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk])
      if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return
      try {
        const packet = dnsPacket.streamDecode(buffered.subarray(0, 2 + buffered.readUInt16BE(0)))
        if (matches(packet, id, name, type)) done(null, packet)
        else done(Object.assign(new Error('answer does not match the question'), { code: 'EBADRESP' }))
      } catch {
        done(Object.assign(new Error('malformed DNS answer'), { code: 'EBADRESP' }))
      }
    })
    socket.on('end', () => done(Object.assign(new Error('connection closed'), { code: 'ECONNREFUSED' })))
    socket.connect(address.port, address.host, () => socket.write(dnsPacket.streamEncode(queryPacket(id, name, type))))
  })
}

/** One question to the resolver with the DO bit; TCP when the UDP answer is truncated. */
export async function queryDnssec(
  address: ResolverAddress,
  name: string,
  type: dnsPacket.RecordType,
  timeoutMs: number,
): Promise<DnssecAnswer> {
  const udp = await overUdp(address, name, type, timeoutMs)
  if (!(udp as { flag_tc?: boolean }).flag_tc) return toAnswer(udp, false)
  return toAnswer(await overTcp(address, name, type, timeoutMs), true)
}
