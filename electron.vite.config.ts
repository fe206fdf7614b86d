import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'
import { metaContentSecurityPolicy } from './main/shell-policy.ts'

const root = import.meta.dirname
const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string }

export default defineConfig({
  main: {
    define: { __SIEGELPOST_VERSION__: JSON.stringify(version) },
    build: {
      outDir: 'out/main',
      // The libraries of every compose/open are bundled: one chunk loads faster than their hundreds of files
      // (zod alone has 95), which every CLI call pays. Native (@napi-rs/keyring) and rarely used ones
      // (imapflow, nodemailer, pdf-lib: loaded only by the commands that need them) stay external.
      externalizeDeps: { exclude: ['zod', 'openpgp', 'asn1js', 'pkijs', 'node-forge', 'libmime', 'libqp'] },
      rollupOptions: {
        input: {
          index: resolve(root, 'main/index.ts'),
          cli: resolve(root, 'main/cli.ts'),
          // the large-message S/MIME worker (main/workers/smime-stream.ts runs it as a worker_threads entry)
          'smime-stream-worker': resolve(root, 'main/workers/smime-stream.worker.ts'),
          // the large-message OpenPGP worker (main/workers/openpgp-worker.ts)
          'openpgp-worker': resolve(root, 'main/workers/openpgp-worker.ts'),
          // a sync's writes into the message store (main/core/mailbox/store-writer.ts)
          'mail-store-worker': resolve(root, 'main/workers/mail-store.worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // Sandboxed preloads must be CommonJS and self-contained (toolchain.md P3, P4).
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(root, 'preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [
      react(),
      {
        // One CSP, from main/shell-policy.ts. The dev server alone relaxes it: Vite injects CSS as
        // inline <style> and talks to its HMR websocket (toolchain.md P8). The build stays strict.
        name: 'siegelpost-csp',
        transformIndexHtml: (html: string, context: { server?: unknown }) =>
          html.replace(
            '%SIEGELPOST_CSP%',
            context.server
              ? metaContentSecurityPolicy
                  .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
                  .replace("connect-src 'none'", "connect-src 'self' ws:")
              : metaContentSecurityPolicy,
          ),
      },
    ],
    build: {
      outDir: resolve(root, 'out/renderer'),
      // No data: URIs: the CSP allows images only from the app itself (toolchain.md P7).
      assetsInlineLimit: 0,
      minify: true,
      rollupOptions: { input: { index: resolve(root, 'renderer/index.html') } },
    },
  },
})
