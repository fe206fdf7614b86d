import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { normalizePin, parseEndpoint } from './account.ts'
import { verifyTlsSocket } from './tls-policy.ts'
import { Socket } from 'node:net'

describe('account settings', () => {
  it('parses HOST:PORT with the CLI.md security defaults (starttls for 587/143, tls otherwise)', () => {
    expect(parseEndpoint('mail.example.de:587', '--smtp')).toEqual({
      host: 'mail.example.de',
      port: 587,
      security: 'starttls',
    })
    expect(parseEndpoint('mail.example.de:465', '--smtp')).toEqual({
      host: 'mail.example.de',
      port: 465,
      security: 'tls',
    })
    expect(parseEndpoint('[::1]:143', '--imap')).toEqual({ host: '::1', port: 143, security: 'starttls' })
    expect(parseEndpoint('h:10587', '--smtp', 'starttls').security).toBe('starttls')
  })

  it('has no plaintext mode', () => {
    for (const security of ['none', 'plain', 'insecure', 'off'])
      expect(() => parseEndpoint('h:25', '--smtp', security)).toThrow(/tls, starttls/)
    expect(() => parseEndpoint('h', '--smtp')).toThrow(/HOST:PORT/)
    expect(() => parseEndpoint('h:70000', '--smtp')).toThrow(/HOST:PORT/)
  })

  it('normalizes a SHA-256 pin with or without colons', () => {
    const hex = 'AB'.repeat(32)
    expect(normalizePin(hex.match(/../g)!.join(':'))).toBe('ab'.repeat(32))
    expect(() => normalizePin('ab'.repeat(20))).toThrow(/SHA-256/)
  })
})

describe('verifyTlsSocket', () => {
  it('refuses a connection that is not TLS, whatever a library claims', async () => {
    const server = createServer((s) => s.end())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    const socket = new Socket()
    await new Promise<void>((resolve) =>
      socket.connect((server.address() as { port: number }).port, '127.0.0.1', () => resolve()),
    )
    const endpoint = { host: '127.0.0.1', port: 1, security: 'tls' as const }
    expect(() => verifyTlsSocket(socket, endpoint, { pin: null })).toThrow(/not come up encrypted|nicht verschlüsselt/)
    expect(() =>
      verifyTlsSocket(
        { encrypted: true, getProtocol: () => 'TLSv1.3', authorized: false, authorizationError: 'SELF_SIGNED' },
        endpoint,
        { pin: null },
      ),
    ).toThrow(/SELF_SIGNED/)
    expect(() =>
      verifyTlsSocket({ encrypted: true, getProtocol: () => 'TLSv1.1', authorized: true }, endpoint, { pin: null }),
    ).toThrow(/older than 1.2|älter als 1.2/)
    socket.destroy()
    server.close()
  })
})
