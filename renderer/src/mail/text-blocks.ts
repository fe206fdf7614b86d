/** A text part cut into blocks of whole lines: each is laid out only when it scrolls into view. */
export interface TextBlock {
  text: string
  /** Lines in the block (a wrapped line counts once): the height it is given before it is laid out. */
  lines: number
}

/**
 * Cuts `text` into blocks of at most `maxLines` lines and about `maxChars` characters. The newline between
 * two blocks is dropped (the block boundary breaks the line), so the blocks read exactly as the text does;
 * a line longer than `maxChars` is cut (never inside a surrogate pair). A short text stays one block.
 */
export function textBlocks(text: string, maxLines = 200, maxChars = 32 * 1024): TextBlock[] {
  if (text.length <= maxChars && !hasMoreLines(text, maxLines)) return [{ text, lines: countLines(text) }]
  const blocks: TextBlock[] = []
  let start = 0
  let lines = 0
  let at = 0
  while (at < text.length) {
    const newline = text.indexOf('\n', at)
    const lineEnd = newline === -1 ? text.length : newline
    if (lineEnd - start > maxChars) {
      // A block full by size: close it before this line, or cut an overlong line.
      if (lines > 0) blocks.push({ text: text.slice(start, at - 1), lines })
      else {
        let cut = start + maxChars
        const code = text.charCodeAt(cut - 1)
        if (code >= 0xd800 && code <= 0xdbff) cut -= 1
        blocks.push({ text: text.slice(start, cut), lines: 1 })
        at = cut
      }
      start = at
      lines = 0
      continue
    }
    lines += 1
    at = lineEnd + 1
    if (lines === maxLines || newline === -1) {
      blocks.push({ text: text.slice(start, lineEnd), lines })
      start = at
      lines = 0
    }
  }
  // The last lines (their final newline is the boundary), and the empty line after a final newline.
  if (lines > 0) blocks.push({ text: text.slice(start, at - 1), lines })
  if (text.endsWith('\n')) blocks.push({ text: '', lines: 1 })
  return blocks
}

function hasMoreLines(text: string, maxLines: number): boolean {
  let at = -1
  for (let n = 0; n < maxLines; n++) {
    at = text.indexOf('\n', at + 1)
    if (at === -1) return false
  }
  return true
}

const countLines = (text: string) => text.split('\n').length
