import { decodeHeaderText } from '../mime/parse.ts'

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

/** A run of RFC 2047 encoded words (the space between two of them belongs to neither). */
const encodedRun = /=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=(?:\s+=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)*/g

/**
 * An address header decoded for display so that it still parses to the addresses written (RFC 2047 §5: an encoded
 * word is never part of an address): a run of encoded words whose text holds what an address list is made of
 * ("Boss <boss@bank.test>,") becomes a quoted string, so it stays a display name and names no second sender.
 */
export function decodeAddressHeader(value: string): string {
  const escaped = (text: string) => text.replace(/["\\]/g, '\\$&')
  // Inside a quoted string a decoded word is escaped (it cannot end the quote); outside, one that holds an address
  // list's characters is quoted.
  const decodedRuns = (segment: string, isQuoted: boolean) => {
    let out = ''
    let at = 0
    for (const match of segment.matchAll(encodedRun)) {
      out += decodeHeaderText(segment.slice(at, match.index))
      const text = decodeHeaderText(match[0])
      out += isQuoted ? escaped(text) : /[<>@,;:"\\()[\]]/.test(text) ? `"${escaped(text)}"` : text
      at = match.index + match[0].length
    }
    return out + decodeHeaderText(segment.slice(at))
  }
  return value
    .split(/("(?:[^"\\]|\\.)*")/)
    .map((segment, index) =>
      index % 2 === 1 ? `"${decodedRuns(segment.slice(1, -1), true)}"` : decodedRuns(segment, false),
    )
    .join('')
}

/** The display names and comments of an address header: the angle-bracketed addresses outside quotes removed. */
export function withoutAngleAddresses(value: string): string {
  let out = ''
  let quoted = false
  let escaped = false
  let angle = false
  for (const char of value) {
    if (quoted) {
      if (escaped) escaped = false
      else if (char === '\\') escaped = true
      else if (char === '"') quoted = false
      out += char
    } else if (angle) {
      if (char === '>') angle = false
    } else if (char === '<') {
      angle = true
      out += ' '
    } else {
      if (char === '"') quoted = true
      out += char
    }
  }
  return out
}
