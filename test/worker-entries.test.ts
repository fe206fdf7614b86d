import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { assertBuilt } from './helpers/run-cli.ts'

/**
 * Every worker entry a bundle names as `new URL("./…-worker.js", import.meta.url)` exists next to that bundle. A
 * module that resolves worker entries must stay inside the bundle that imports it: moved into a shared chunk
 * (out/main/chunks/, when a second entry imports it), its relative URLs point at files that are not there.
 */
it('each worker entry named by a built main-process file exists beside it', () => {
  assertBuilt()
  const main = fileURLToPath(new URL('../out/main/', import.meta.url))
  const files = [
    ...readdirSync(main).filter((f) => f.endsWith('.js')),
    ...readdirSync(join(main, 'chunks')).map((f) => join('chunks', f)),
  ]
  const named: string[] = []
  for (const file of files) {
    const text = readFileSync(join(main, file), 'utf8')
    for (const match of text.matchAll(/"\.\/([\w-]+-worker\.js)"/g)) {
      named.push(`${file} → ${match[1]}`)
      expect(existsSync(join(main, file, '..', match[1]!)), `${file} names ./${match[1]}`).toBe(true)
    }
  }
  expect(named.length).toBeGreaterThanOrEqual(3)
})
