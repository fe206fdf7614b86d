import { readFile } from 'node:fs/promises'
import { extname, resolve, sep } from 'node:path'
import { contentSecurityPolicy } from './shell-policy.ts'

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
}

export const securityHeaders = {
  'Content-Security-Policy': contentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
} as const

export interface ProtocolResponse {
  status: number
  headers: Record<string, string>
  body: Uint8Array | null
}

/**
 * Answers one request for the UI's own files (app://siegelpost/… in the app, the harness's
 * loopback server in tests): only files inside `root`, only GET, always with the CSP.
 */
export async function serveAppFile(root: string, method: string, url: string): Promise<ProtocolResponse> {
  const base = resolve(root)
  const headers: Record<string, string> = { ...securityHeaders }
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, headers, body: null }
  let pathname: string
  try {
    pathname = decodeURIComponent(new URL(url, 'app://siegelpost/').pathname)
  } catch {
    return { status: 400, headers, body: null }
  }
  if (pathname === '/' || pathname === '') pathname = '/index.html'
  const file = resolve(base, `.${pathname}`)
  if (!file.startsWith(base + sep)) return { status: 404, headers, body: null }
  const type = contentTypes[extname(file)]
  if (!type) return { status: 404, headers, body: null }
  try {
    const body = await readFile(file)
    return { status: 200, headers: { ...headers, 'Content-Type': type }, body: method === 'HEAD' ? null : body }
  } catch {
    return { status: 404, headers, body: null }
  }
}
