import { mkdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import { limits } from '../limits.ts'
import { openJson, sealJson } from '../store/sealed-blob.ts'
import { writeFileAtomic } from '../store/atomic-file.ts'
import type { MtaStsPolicy } from './domain-check.ts'

/**
 * The MTA-STS policy cache (RFC 8461 §3.3, §5.1): a fetched policy is kept for its max_age. While it
 * lives, an unchanged TXT id means no HTTPS fetch, and a failed fetch, a missing TXT record or a DNS
 * failure do not lose it — an attacker who blocks the policy host or strips the TXT record cannot
 * downgrade an `enforce` domain. A new id replaces it after a successful fetch.
 *
 * Stored in the profile, sealed under a vault-derived key: the list of domains names clients.
 */
export interface CachedMtaStsPolicy {
  id: string
  policy: MtaStsPolicy
  fetched: string
  expires: string
}

export interface MtaStsCache {
  get(domain: string): Promise<CachedMtaStsPolicy | null>
  set(domain: string, entry: CachedMtaStsPolicy): Promise<void>
}

const EntrySchema = z.object({
  id: z.string(),
  policy: z.object({
    version: z.string(),
    mode: z.enum(['enforce', 'testing', 'none']),
    mx: z.array(z.string()),
    maxAge: z.number().int(),
  }),
  fetched: z.string(),
  expires: z.string(),
})
const FileSchema = z.object({ format: z.literal(1), domains: z.record(z.string(), EntrySchema) })
type CacheFile = z.infer<typeof FileSchema>

export const mtaStsCacheFileName = 'mta-sts-cache.sgpc'
const context = 'siegelpost/mta-sts-cache/v1'

export class MtaStsCacheFile implements MtaStsCache {
  readonly path: string
  private readonly key: Buffer
  private readonly now: () => Date
  constructor(profileDir: string, key: Buffer, now: () => Date) {
    this.path = join(profileDir, mtaStsCacheFileName)
    this.key = key
    this.now = now
  }

  /** A cache: a missing, unreadable or damaged file is an empty cache (the next fetch rewrites it). */
  private async load(): Promise<CacheFile> {
    try {
      const parsed = FileSchema.safeParse(openJson(this.key, await readFile(this.path), context))
      if (parsed.success) return parsed.data
    } catch {
      // fall through: empty
    }
    return { format: 1, domains: {} }
  }

  async get(domain: string): Promise<CachedMtaStsPolicy | null> {
    return (await this.load()).domains[domain] ?? null
  }

  async set(domain: string, entry: CachedMtaStsPolicy): Promise<void> {
    const file = await this.load()
    const now = this.now().getTime()
    // Expired entries go; beyond the limit, the ones expiring first.
    const kept = Object.entries({ ...file.domains, [domain]: entry })
      .filter(([, e]) => new Date(e.expires).getTime() > now)
      .sort(([, a], [, b]) => new Date(b.expires).getTime() - new Date(a.expires).getTime())
      .slice(0, limits.mtaStsCacheMaxDomains)
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 })
    await writeFileAtomic(this.path, sealJson(this.key, { format: 1, domains: Object.fromEntries(kept) }, context))
  }
}
