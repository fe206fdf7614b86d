import { describe, expect, it } from 'vitest'
import { textBlocks } from './text-blocks'

/** What the blocks show, one block per line break of the display. */
const shown = (text: string, lines?: number, chars?: number) =>
  textBlocks(text, lines, chars)
    .map((block) => block.text)
    .join('\n')

describe('textBlocks', () => {
  it('keeps a short text as one block', () => {
    expect(textBlocks('Guten Tag,\n\nanbei.\n')).toEqual([{ text: 'Guten Tag,\n\nanbei.\n', lines: 4 }])
  })

  it('cuts at whole lines and reads exactly as the text, with or without a final newline', () => {
    for (const text of [
      Array.from({ length: 25 }, (_, i) => `Zeile ${i}`).join('\n'),
      Array.from({ length: 25 }, (_, i) => `Zeile ${i}`).join('\n') + '\n',
      Array.from({ length: 20 }, (_, i) => `Zeile ${i}`).join('\n') + '\n',
      '\n\n\n\n\n\n\n\n\n\n\n\n',
    ]) {
      const blocks = textBlocks(text, 10)
      expect(blocks.length).toBeGreaterThan(1)
      expect(blocks.every((block) => block.text.split('\n').length <= 10)).toBe(true)
      expect(shown(text, 10)).toBe(text)
      expect(blocks.reduce((sum, block) => sum + block.lines, 0)).toBe(text.split('\n').length)
    }
  })

  it('cuts by size, and a line longer than a block without splitting a surrogate pair', () => {
    const long = 'ab😀'.repeat(40)
    const text = `kurz\n${long}\nEnde`
    const blocks = textBlocks(text, 200, 25)
    expect(blocks.every((block) => block.text.length <= 25)).toBe(true)
    expect(blocks.map((block) => block.text.replaceAll('\n', '')).join('')).toBe(text.replaceAll('\n', ''))
    for (const block of blocks) expect(block.text).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/)
  })

  it('cuts 4 MiB of text into blocks quickly', () => {
    const text = 'Sehr geehrte Damen und Herren, anbei die Aufstellung der Belege.\n'.repeat(64_000)
    const started = performance.now()
    const blocks = textBlocks(text)
    const ms = performance.now() - started
    expect(blocks.length).toBe(Math.ceil(64_001 / 200))
    expect(shown(text)).toBe(text)
    console.log(`textBlocks over ${text.length} characters: ${ms.toFixed(1)} ms`)
  })
})
