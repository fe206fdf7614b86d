/** Addresses of an address-list header (RFC 5322 §3.4), lower-cased, display names and comments dropped. */
export function addressesOf(value: string | undefined): string[] {
  if (!value) return []
  const result: string[] = []
  let current = ''
  let quoted = false
  let angle = 0
  let comment = 0
  let escaped = false
  for (const char of value) {
    if (quoted) {
      if (escaped) escaped = false
      else if (char === '\\') escaped = true
      else if (char === '"') quoted = false
      current += char
      continue
    }
    if (char === '"') quoted = true
    else if (char === '(') comment++
    else if (char === ')') comment = Math.max(0, comment - 1)
    else if (char === '<') angle++
    else if (char === '>') angle = Math.max(0, angle - 1)
    if (char === ',' && angle === 0 && comment === 0) {
      result.push(current)
      current = ''
    } else current += char
  }
  result.push(current)
  return result
    .map((entry) => {
      // A quoted display name or a comment may hold "<other@address>": only the real angle-addr counts.
      const outside = entry.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\([^)]*\)/g, '')
      const inAngle = /<\s*([^<>\s]+@[^<>\s]+)\s*>/.exec(outside)
      if (inAngle) return inAngle[1]!
      const bare = entry
        .replace(/\([^)]*\)/g, '')
        .replace(/"[^"]*"/g, '')
        .trim()
      return /^[^\s@]+@[^\s@]+$/.test(bare) ? bare : ''
    })
    .filter((address) => address !== '')
    .map((address) => address.toLowerCase())
}

export function isAddress(text: string): boolean {
  return /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/.test(text)
}
