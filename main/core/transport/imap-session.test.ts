import { createServer, type AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { SiegelpostError } from '../errors/index.ts'
import type { Account } from './account.ts'
import { openImap } from './imap-session.ts'

const accountOn = (port: number): Account => ({
  name: 'kanzlei',
  email: 'client@mandant.test',
  user: 'client@mandant.test',
  smtp: { host: '127.0.0.1', port: 9, security: 'tls' },
  imap: { host: '127.0.0.1', port, security: 'tls' },
  ca: null,
  pin: null,
  password: { store: 'sealed', value: 'geheim' },
  created: new Date().toISOString(),
})

const refusalOf = (port: number) =>
  openImap(accountOn(port), 'geheim').then(
    () => {
      throw new Error('connected')
    },
    (error: unknown) => error as SiegelpostError,
  )

/** A loopback port nothing listens on (bound once, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('openImap: why a connection failed', () => {
  it('names a server that cannot be reached as unreachable, not as a server that answered wrongly', async () => {
    const port = await closedPort()
    const error = await refusalOf(port)
    expect(error).toBeInstanceOf(SiegelpostError)
    expect(error.code).toBe('IMAP_UNREACHABLE')
    expect(error.params).toMatchObject({ host: '127.0.0.1', port, detail: 'ECONNREFUSED' })
  })

  it('a server that accepts and hangs up in the handshake stays a failed connection, not "unreachable"', async () => {
    const server = createServer((socket) => socket.destroy())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const error = await refusalOf((server.address() as AddressInfo).port)
      expect(error).toBeInstanceOf(SiegelpostError)
      expect(error.code).not.toBe('IMAP_UNREACHABLE')
    } finally {
      server.close()
    }
  })
})
