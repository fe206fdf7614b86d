import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'
import { metaContentSecurityPolicy } from './main/shell-policy.ts'

const root = import.meta.dirname

/**
 * libmime 5.6 builds iconv-lite's whole GBK codec (encode and decode tables, about 15 ms of CPU per process and
 * worker) when it is imported, only to learn which decoder class iconv-lite's double-byte codecs share. The
 * bundle reads that same class from iconv-lite's codec list instead, so a table is built only for a charset a
 * message actually uses. The build stops when libmime's line changes (README, dependencies).
 */
function libmimeLazyDbcs() {
  const eager = "const DBCS_DECODER = iconv.getCodec('gbk').decoder;"
  const lazy = "const DBCS_DECODER = (iconv.getCodec('utf-8'), iconv.encodings._dbcs.prototype.decoder);"
  return {
    name: 'siegelpost-libmime-lazy-dbcs',
    transform(code: string, id: string) {
      if (!/[\\/]libmime[\\/]dist[\\/]esm[\\/]charset\.js$/.test(id)) return null
      if (!code.includes(eager)) throw new Error(`libmime changed: "${eager}" is gone from ${id}; check the plugin`)
      return { code: code.replace(eager, lazy), map: null }
    },
  }
}
const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string }

export default defineConfig({
  main: {
    plugins: [libmimeLazyDbcs()],
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
