/**
 * A reader for the part of RON (Rusty Object Notation) the EAST fake-mail-server test cases use
 * (../shared/corpora/east-fake-mail-server): structs, named and tuple variants, lists, maps,
 * strings with escapes, numbers, booleans, Some/None, and // comments. Test scaffolding only.
 *
 * A struct or a variant with named fields reads as an object (the variant's name in `$`); a unit or
 * tuple variant as `{ $: name, args }`; `Some(x)` as x and `None` as null.
 */
export type Ron = string | number | boolean | null | Ron[] | RonVariant | { [key: string]: Ron }
export interface RonVariant {
  $: string
  args: Ron[]
}

export const isVariant = (value: Ron | undefined, name?: string): value is RonVariant =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  typeof value.$ === 'string' &&
  Array.isArray(value.args) &&
  (name === undefined || value.$ === name)

export function parseRon(text: string): Ron {
  let at = 0
  const fail = (what: string): never => {
    throw new Error(`RON: ${what} at offset ${at}: ${JSON.stringify(text.slice(at, at + 30))}`)
  }
  const skip = () => {
    for (;;) {
      while (at < text.length && /\s|,/.test(text[at]!)) at++
      if (text.startsWith('//', at)) {
        const end = text.indexOf('\n', at)
        at = end < 0 ? text.length : end + 1
      } else if (text.startsWith('/*', at)) {
        const end = text.indexOf('*/', at)
        at = end < 0 ? text.length : end + 2
      } else return
    }
  }
  const expect = (char: string) => {
    skip()
    if (text[at] !== char) fail(`expected ${char}`)
    at++
  }
  const string = (): string => {
    at++
    let out = ''
    while (at < text.length && text[at] !== '"') {
      if (text[at] === '\\') {
        const next = text[at + 1]
        const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', '0': '\0' }
        if (next === 'x') {
          out += String.fromCharCode(parseInt(text.slice(at + 2, at + 4), 16))
          at += 4
          continue
        }
        if (next === 'u') {
          const close = text.indexOf('}', at)
          out += String.fromCodePoint(parseInt(text.slice(at + 3, close), 16))
          at = close + 1
          continue
        }
        if (next === undefined || !(next in escapes)) fail('unknown escape')
        out += escapes[next!]
        at += 2
      } else out += text[at++]
    }
    at++
    return out
  }
  /** `key: value` pairs up to `close` (a struct body or a variant with named fields). */
  const fields = (close: string): Record<string, Ron> => {
    const out: Record<string, Ron> = {}
    for (skip(); text[at] !== close; skip()) {
      const key = /^[A-Za-z_][\w]*/.exec(text.slice(at))?.[0] ?? fail('expected a field name')
      at += key.length
      expect(':')
      out[key] = value()
    }
    at++
    return out
  }
  const hasNamedFields = () => /^\s*[A-Za-z_]\w*\s*:(?!:)/.test(text.slice(at))
  const value = (): Ron => {
    skip()
    const char = text[at]
    if (char === '"') return string()
    if (char === '[') {
      at++
      const items: Ron[] = []
      for (skip(); text[at] !== ']'; skip()) items.push(value())
      at++
      return items
    }
    if (char === '{') {
      at++
      const map: Record<string, Ron> = {}
      for (skip(); text[at] !== '}'; skip()) {
        const key = value()
        expect(':')
        map[String(key)] = value()
      }
      at++
      return map
    }
    if (char === '(') {
      at++
      return fields(')')
    }
    const number = /^-?\d+(\.\d+)?/.exec(text.slice(at))
    if (number) {
      at += number[0].length
      return Number(number[0])
    }
    const name = /^[A-Za-z_]\w*/.exec(text.slice(at))?.[0] ?? fail('unexpected character')
    at += name.length
    if (name === 'true' || name === 'false') return name === 'true'
    if (name === 'None') return null
    skip()
    if (text[at] !== '(') return { $: name, args: [] }
    at++
    if (hasNamedFields()) return { $: name, ...fields(')') }
    const args: Ron[] = []
    for (skip(); text[at] !== ')'; skip()) args.push(value())
    at++
    return name === 'Some' ? args[0]! : { $: name, args }
  }
  const result = value()
  skip()
  if (at < text.length) fail('trailing text')
  return result
}
