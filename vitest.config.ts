import { readFileSync } from 'node:fs'
import { defineConfig } from 'vitest/config'

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }

export default defineConfig({
  define: { __SIEGELPOST_VERSION__: JSON.stringify(version) },
  test: {
    include: ['main/**/*.test.ts', 'preload/**/*.test.ts', 'renderer/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    // Tests never leave loopback: the real CRL/OCSP fetchers refuse other hosts (revocation-http.ts); CLI children inherit it.
    env: { SIEGELPOST_NETWORK: 'loopback-only' },
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
