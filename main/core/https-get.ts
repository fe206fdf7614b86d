import { request } from 'node:https'

export interface HttpsGetOptions {
  /** Extra trust anchors (PEM), e.g. a test CA; the system store (and NODE_EXTRA_CA_CERTS) otherwise. */
  ca?: string | Buffer | undefined
  /**
   * The address to connect to for a host name (a configured DNS server, the network guard); the
   * system resolver otherwise. A rejection is "not reachable". The certificate is still checked for the host name.
   */
  resolve?: ((hostname: string) => Promise<string>) | undefined
  /** Connect to this port instead of the URL's (tests: a loopback server on an ephemeral port). */
  port?: number | undefined
  /** Hard limit for the whole request (CLI.md: outside lookups end within 3 s). */
  timeoutMs: number
  /** A longer answer ends the request with an error. */
  maxBytes: number
}

export interface HttpsAnswer {
  status: number
  contentType: string
  body: Buffer
}

/**
 * One HTTPS GET as the core does it for outside lookups (MTA-STS policies, Web Key Directories):
 * TLS ≥ 1.2 with the certificate checked for the URL's host, no redirects followed, a hard timeout
 * and a size limit.
 */
export async function httpsGet(url: URL, options: HttpsGetOptions): Promise<HttpsAnswer> {
  const host = options.resolve ? await options.resolve(url.hostname) : url.hostname
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port: options.port ?? Number(url.port || 443),
        servername: url.hostname,
        path: `${url.pathname}${url.search}`,
        headers: { host: url.host },
        ca: options.ca,
        minVersion: 'TLSv1.2',
        timeout: options.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > options.maxBytes) req.destroy(new Error('response too large'))
          else chunks.push(chunk)
        })
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks),
          }),
        )
        res.on('error', reject)
      },
    )
    const timer = setTimeout(() => req.destroy(new Error('timeout')), options.timeoutMs)
    req.on('close', () => clearTimeout(timer))
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end()
  })
}
