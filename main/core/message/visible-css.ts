/**
 * The CSS side of visible-html.ts: declarations, colours, whether a set of declarations hides its
 * element, and the rules of a stylesheet that this can match (simple selectors).
 */
export type Declarations = Map<string, string>

/** CSS text with comments removed and escapes resolved, so `dis\play` or `\64 isplay` reads as `display`. */
function plainCss(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?(\*\/|$)/g, '')
    .replace(/\\([0-9a-f]{1,6})\s?/gi, (_, hex: string) => {
      const code = parseInt(hex, 16)
      return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ''
    })
    .replace(/\\(.)/g, '$1')
    .toLowerCase()
}

export function declarationsOf(css: string): Declarations {
  const result: Declarations = new Map()
  for (const item of plainCss(css).split(';')) {
    const colon = item.indexOf(':')
    if (colon < 0) continue
    const name = item.slice(0, colon).trim()
    const value = item
      .slice(colon + 1)
      .replace(/!\s*important/g, '')
      .trim()
    if (name) result.set(name, value)
  }
  return result
}

// Colours ------------------------------------------------------------------------------------------

type Rgba = [number, number, number, number]

const namedColors: Record<string, string> = {
  white: '#ffffff',
  black: '#000000',
  silver: '#c0c0c0',
  gray: '#808080',
  grey: '#808080',
  red: '#ff0000',
  green: '#008000',
  blue: '#0000ff',
  navy: '#000080',
  yellow: '#ffff00',
  snow: '#fffafa',
  whitesmoke: '#f5f5f5',
  ivory: '#fffff0',
  ghostwhite: '#f8f8ff',
  floralwhite: '#fffaf0',
  azure: '#f0ffff',
  mintcream: '#f5fffa',
  seashell: '#fff5ee',
  linen: '#faf0e6',
  lavenderblush: '#fff0f5',
  honeydew: '#f0fff0',
  aliceblue: '#f0f8ff',
  oldlace: '#fdf5e6',
  beige: '#f5f5dc',
  cornsilk: '#fff8dc',
  lightyellow: '#ffffe0',
  lightcyan: '#e0ffff',
  gainsboro: '#dcdcdc',
  lightgray: '#d3d3d3',
  lightgrey: '#d3d3d3',
}

function parseColor(value: string): Rgba | null {
  const text = (namedColors[value.trim()] ?? value).trim()
  if (text === 'transparent') return [0, 0, 0, 0]
  const hex = /^#([0-9a-f]{3,8})$/.exec(text)?.[1]
  if (hex) {
    const long = hex.length <= 4 ? [...hex].map((c) => c + c).join('') : hex
    const at = (i: number) => parseInt(long.slice(i, i + 2), 16)
    if (long.length !== 6 && long.length !== 8) return null
    return [at(0), at(2), at(4), long.length === 8 ? at(6) / 255 : 1]
  }
  const rgb = /^rgba?\(([^)]*)\)$/.exec(text)?.[1]
  if (rgb) {
    const numbers = rgb.split(/[\s,/]+/).filter(Boolean)
    const channel = (v: string | undefined) => (v?.endsWith('%') ? (parseFloat(v) * 255) / 100 : parseFloat(v ?? ''))
    const alpha = numbers[3] === undefined ? 1 : numbers[3].endsWith('%') ? parseFloat(numbers[3]) / 100 : +numbers[3]
    const color: Rgba = [channel(numbers[0]), channel(numbers[1]), channel(numbers[2]), alpha]
    return color.some((n) => Number.isNaN(n)) ? null : color
  }
  return null
}

function luminance([r, g, b]: Rgba): number {
  const linear = (c: number) => {
    const s = c / 255
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

/** Text in this colour on this background is hard to see (WCAG contrast below 1.5, or nearly transparent). */
export function isCamouflaged(color: string, background: string): boolean {
  if (color.trim() === background.trim()) return true
  const fore = parseColor(color)
  const back = parseColor(background)
  if (fore && fore[3] < 0.15) return true
  if (!fore || !back || back[3] < 0.5) return false
  const [light, dark] = [luminance(fore), luminance(back)].sort((a, b) => b - a) as [number, number]
  return (light + 0.05) / (dark + 0.05) < 1.5
}

// Hiding -----------------------------------------------------------------------------------------

/** A length in CSS pixels (em/rem/% against a 16px font); null when it is not a plain length. */
function pixels(value: string | undefined): number | null {
  if (value === undefined) return null
  const match = /^(-?[\d.]+)(px|pt|em|rem|%|ex|ch|vw|vh|cm|mm|in)?$/.exec(value.trim())
  if (!match) return null
  const n = parseFloat(match[1]!)
  const unit = match[2] ?? 'px'
  const factor: Record<string, number> = { px: 1, pt: 4 / 3, em: 16, rem: 16, '%': 0.16, ex: 8, ch: 8 }
  return unit in factor ? n * factor[unit]! : n === 0 ? 0 : null
}

const isNone = (value: string | undefined) => value === undefined || value === 'none' || value === 'auto'

/** Whether one set of declarations hides its element (colours are checked apart, against the background). */
export function hides(d: Declarations): boolean {
  const display = d.get('display')
  if (display === 'none' || d.get('content-visibility') === 'hidden') return true
  if (['hidden', 'collapse'].includes(d.get('visibility') ?? '')) return true
  if (d.get('mso-hide') === 'all') return true
  const opacity = d.get('opacity')
  if (opacity !== undefined && parseFloat(opacity) * (opacity.endsWith('%') ? 0.01 : 1) < 0.1) return true
  const font = pixels(d.get('font-size') ?? /(?:^|\s)([\d.]+[a-z%]*)(?:\/[\S]+)?\s+\S/.exec(d.get('font') ?? '')?.[1])
  if (font !== null && font < 4) return true
  const overflow = `${d.get('overflow') ?? ''} ${d.get('overflow-x') ?? ''} ${d.get('overflow-y') ?? ''}`
  if (/hidden|clip/.test(overflow)) {
    for (const name of ['height', 'max-height', 'width', 'max-width', 'line-height']) {
      const size = pixels(d.get(name))
      if (size !== null && size <= 4) return true
    }
  }
  const indent = pixels(d.get('text-indent'))
  if (indent !== null && indent < -100) return true
  for (const name of ['left', 'top', 'margin-left', 'margin-top', 'right', 'bottom']) {
    const offset = pixels(d.get(name))
    if (offset !== null && Math.abs(offset) > 500) return true
  }
  for (const name of ['transform', 'filter', 'scale', 'translate', 'rotate'])
    if (!isNone(d.get(name)) && d.get(name) !== '1') return true
  const zoom = d.get('zoom')
  if (zoom !== undefined && parseFloat(zoom) * (zoom.endsWith('%') ? 0.01 : 1) < 0.3) return true
  // Letters pushed onto each other cannot be read.
  const spacing = pixels(d.get('letter-spacing'))
  if (spacing !== null && spacing < -2) return true
  if (!isNone(d.get('clip')) || !isNone(d.get('clip-path'))) return true
  const zIndex = d.get('z-index')
  if (zIndex !== undefined && parseInt(zIndex, 10) < 0) return true
  const fill = d.get('-webkit-text-fill-color')
  if (fill !== undefined && (parseColor(fill)?.[3] ?? 1) < 0.15) return true
  return false
}

/** Positioned layouts may lay one element over another's text: this walk cannot tell what is covered. */
export const isLayered = (d: Declarations) => ['absolute', 'fixed', 'sticky'].includes(d.get('position') ?? '')

export const colorOf = (d: Declarations) => d.get('color')
export function backgroundOf(d: Declarations): string | undefined {
  const color = d.get('background-color')
  if (color !== undefined) return color
  const background = d.get('background')
  if (background === undefined) return undefined
  // The colour in a `background` shorthand: a word, a hex value, or rgb()/rgba().
  return /(#[0-9a-f]{3,8}|rgba?\([^)]*\)|\b[a-z]+\b)/.exec(background.replace(/url\([^)]*\)/g, ''))?.[1]
}

// Stylesheets ------------------------------------------------------------------------------------

export interface Rule {
  tag: string | null
  classes: string[]
  id: string | null
  declarations: Declarations
}

const simpleSelector = /^(\*|[a-z][a-z0-9-]*)?((?:\.[a-z0-9_-]+|#[a-z0-9_-]+)*)$/

/** Properties whose value can decide what is seen. */
const visualProperties = new Set(
  (
    'display visibility opacity font font-size color background background-color height max-height ' +
    'width max-width line-height overflow overflow-x overflow-y text-indent position left top right ' +
    'bottom margin-left margin-top transform scale translate rotate zoom letter-spacing filter clip ' +
    'clip-path z-index mso-hide content-visibility -webkit-text-fill-color'
  ).split(' '),
)

/** Stylesheets beyond these are not read (nor quoted): a mail's CSS is far smaller. */
const maxStylesheetChars = 256 * 1024
const maxRules = 2000

export function stylesheetRules(css: string): { rules: Rule[]; isUndecidable: boolean } {
  const rules: Rule[] = []
  let isUndecidable = false
  if (css.length > maxStylesheetChars) return { rules, isUndecidable: true }
  const text = plainCss(css)
  // Innermost blocks `selector { declarations }` (inside @media too), found in one pass (a regex here is quadratic).
  const blocks: [string, string][] = []
  let start = 0
  let open = -1
  let selectors = ''
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (char === '{') {
      selectors = text.slice(start, i)
      open = i
      start = i + 1
    } else if (char === '}') {
      if (open >= 0) blocks.push([selectors, text.slice(open + 1, i)])
      open = -1
      start = i + 1
    }
  }
  for (const [selectors, body] of blocks) {
    const declarations = declarationsOf(body)
    if (![...declarations.keys()].some((name) => visualProperties.has(name))) continue
    for (const raw of selectors.split(',')) {
      const selector = raw.trim()
      const parsed = simpleSelector.exec(selector)
      if (!parsed || selector === '') {
        // A rule this walk cannot match: only harmless when it can neither hide nor layer anything.
        const color = colorOf(declarations)
        const background = backgroundOf(declarations)
        if (
          hides(declarations) ||
          isLayered(declarations) ||
          (color !== undefined && isCamouflaged(color, background ?? '#ffffff'))
        )
          isUndecidable = true
        continue
      }
      const tag = parsed[1] && parsed[1] !== '*' ? parsed[1] : null
      const names = parsed[2]!.match(/[.#][a-z0-9_-]+/g) ?? []
      const ids = names.filter((n) => n.startsWith('#')).map((n) => n.slice(1))
      if (ids.length > 1) continue
      if (rules.length >= maxRules) return { rules, isUndecidable: true }
      rules.push({
        tag,
        classes: names.filter((n) => n.startsWith('.')).map((n) => n.slice(1)),
        id: ids[0] ?? null,
        declarations,
      })
    }
  }
  return { rules, isUndecidable }
}
