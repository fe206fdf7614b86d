import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { channels } from '../preload/channels.ts'
import { contract } from '../preload/contract.ts'

const bundle = new URL('../out/preload/index.cjs', import.meta.url)

describe('the built preload bundle (sandboxed, CommonJS, self-contained)', () => {
  const source = () => {
    if (!existsSync(bundle)) {
      throw new Error('out/preload/index.cjs is missing: run "npx electron-vite build" first (npm test does)')
    }
    return readFileSync(bundle, 'utf8')
  }

  it('carries no schema library: the channel names come from preload/channels.ts alone', () => {
    const text = source()
    // zod's classes and internals ($ZodType, ZodError, `_zod`) would all match.
    expect(text).not.toMatch(/zod/i)
    expect(text).not.toMatch(/safeParse/)
  })

  it('loads nothing but electron', () => {
    const required = [...source().matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((match) => match[1])
    expect(required).toEqual(['electron'])
  })

  it('names every contract channel', () => {
    const text = source()
    for (const channel of Object.keys(contract)) expect(text).toContain(`"${channel}"`)
  })
})

describe('preload/channels.ts and the contract', () => {
  it('name the same channels, each once', () => {
    expect(new Set(channels).size).toBe(channels.length)
    expect([...channels].sort()).toEqual(Object.keys(contract).sort())
  })
})
