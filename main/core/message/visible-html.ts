import {
  backgroundOf,
  colorOf,
  declarationsOf,
  hides,
  isCamouflaged,
  isLayered,
  stylesheetRules,
  type Declarations,
} from './visible-css.ts'

/**
 * The text a reader saw of an HTML part, for quoting it in a reply or a forward. Text the reader did
 * not see must never travel back to the sender ("Re: What's up Johnny?", 2019: hidden HTML makes the
 * victim quote decrypted text to the attacker), so this errs on the side of leaving text out:
 *  - comments (Outlook's conditional comments too), head, style, script, template, forms and other
 *    elements the mail frame does not show are dropped with their content;
 *  - an element hidden by its inline style, its attributes or a stylesheet rule with a simple selector
 *    (tag, class, id) is dropped with everything inside it: display:none, visibility:hidden, opacity
 *    near 0, tiny fonts, transparent text, text colour close to its background, zero size with
 *    overflow hidden, clipping, transforms, filters, text pushed off the page, `hidden`, closed <details>;
 *  - when a part hides text in a way this cannot follow (a hiding rule with a complex selector, or
 *    absolute/fixed positioning that may lay one element over another), `isUndecidable` is set and the
 *    caller quotes nothing of the part.
 * Every source of a property counts on its own (the inline style and each matching rule), so a rule
 * this reads in the wrong cascade order can only hide more, never show more.
 */
export interface VisibleText {
  text: string
  isUndecidable: boolean
}

const voidTags = new Set('area base br col embed hr img input link meta param source track wbr'.split(' '))
/** Their content is not markup (raw text); none of it is shown as text. */
const rawTextTags = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'noembed', 'noframes', 'plaintext'])
/** Shown nowhere as mail text (or removed by the mail frame's sanitizer): dropped with their content. */
const droppedTags = new Set(
  (
    'head template noscript svg math object iframe frame frameset ' +
    'form select option button audio video canvas map datalist dialog'
  ).split(' '),
)
const blockTags = new Set(
  (
    'p div li tr h1 h2 h3 h4 h5 h6 table blockquote ' +
    'pre ul ol section article header footer address center dd dt hr'
  ).split(' '),
)

const entities: Record<string, string> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  shy: '',
  euro: '€',
  auml: 'ä',
  ouml: 'ö',
  uuml: 'ü',
  Auml: 'Ä',
  Ouml: 'Ö',
  Uuml: 'Ü',
  szlig: 'ß',
  ndash: '–',
  mdash: '—',
  bdquo: '„',
  ldquo: '“',
  rdquo: '”',
  sbquo: '‚',
  lsquo: '‘',
  rsquo: '’',
  hellip: '…',
  copy: '©',
  reg: '®',
  sect: '§',
  zwnj: '',
  zwj: '',
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10)
      return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ''
    }
    return entities[name] ?? whole
  })
}

// The walk ---------------------------------------------------------------------------------------

interface Open {
  tag: string
  isHidden: boolean
  colors: string[]
  backgrounds: string[]
}

function attributesOf(source: string): Map<string, string> {
  const attributes = new Map<string, string>()
  for (const match of source.matchAll(/([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    const name = match[1]!.toLowerCase()
    if (!attributes.has(name)) attributes.set(name, decodeEntities(match[2] ?? match[3] ?? match[4] ?? ''))
  }
  return attributes
}

const maxDepth = 1000

export function visibleTextOfHtml(html: string): VisibleText {
  // Comments first (a conditional comment is a comment to every browser), also unterminated ones.
  const source = html.replace(/<!--[\s\S]*?(-->|$)/g, '').replace(/<!\[[\s\S]*?(\]>|$)/g, '')
  const sheets = [...source.matchAll(/<style\b[^>]*>([\s\S]*?)(<\/style\s*>|$)/gi)].map((m) => stylesheetRules(m[1]!))
  const rules = sheets.flatMap((s) => s.rules)
  let isUndecidable = sheets.some((s) => s.isUndecidable)

  const stack: Open[] = [{ tag: '#root', isHidden: false, colors: ['#000000'], backgrounds: ['#ffffff'] }]
  const out: string[] = []
  const top = () => stack[stack.length - 1]!
  const openCount = new Map<string, number>()
  const newline = () => out.push('\n')
  const tokens = /<(\/?)([a-z][a-z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|<[!?][^>]*>|([^<]+|<)/gi
  let match: RegExpExecArray | null
  while ((match = tokens.exec(source)) !== null) {
    const [, closing, rawTag, rawAttributes, text] = match
    if (text !== undefined) {
      // A '<' that starts a tag this cannot read (an unclosed quote): a browser may hide what follows.
      if (text === '<' && /^[a-z/]/i.test(source.slice(tokens.lastIndex, tokens.lastIndex + 1))) break
      // Colour is inherited and may be set again inside: text is judged by the colours where it stands.
      const here = top()
      const isCamouflagedHere = here.colors.some((c) => here.backgrounds.some((b) => isCamouflaged(c, b)))
      if (!here.isHidden && !(isCamouflagedHere && text.trim() !== ''))
        out.push(decodeEntities(text).replace(/\s+/g, ' '))
      continue
    }
    if (rawTag === undefined) continue
    const tag = rawTag.toLowerCase()
    if (closing) {
      // Most stray end tags close nothing: counted, so they cost no walk down the stack.
      // A hidden top that is not this element would be popped too: then the end tag is ignored at once.
      const isIgnored = (openCount.get(tag) ?? 0) === 0 || (top().isHidden && top().tag !== tag)
      const index = isIgnored ? -1 : stack.findLastIndex((open) => open.tag === tag)
      // Closing an element pops the ones left open inside it, unless one of them hides: then the end
      // tag is ignored (text after it stays hidden; a browser's error recovery never shows more).
      if (index > 0 && stack.slice(index + 1).every((open) => !open.isHidden)) {
        for (const closed of stack.splice(index)) openCount.set(closed.tag, openCount.get(closed.tag)! - 1)
      }
      if (blockTags.has(tag)) newline()
      continue
    }
    if (rawTextTags.has(tag)) {
      const end = new RegExp(`</${tag}\\s*>`, 'gi')
      end.lastIndex = tokens.lastIndex
      const found = end.exec(source)
      tokens.lastIndex = found ? end.lastIndex : source.length
      continue
    }
    if (tag === 'br') {
      if (!top().isHidden) newline()
      continue
    }
    const attributes = attributesOf(rawAttributes ?? '')
    const classes = (attributes.get('class') ?? '').toLowerCase().split(/\s+/).filter(Boolean)
    const id = attributes.get('id')?.toLowerCase() ?? null
    const sources = rules
      .filter(
        (rule) =>
          (rule.tag === null || rule.tag === tag) &&
          (rule.id === null || rule.id === id) &&
          rule.classes.every((c) => classes.includes(c)),
      )
      .map((rule) => rule.declarations)
    const inline = declarationsOf(attributes.get('style') ?? '')
    sources.push(inline)
    const fromAttributes: Declarations = new Map()
    const fontColor = attributes.get('color')
    if (fontColor !== undefined) fromAttributes.set('color', fontColor.toLowerCase())
    const bgcolor = attributes.get('bgcolor')
    if (bgcolor !== undefined) fromAttributes.set('background-color', bgcolor.toLowerCase())
    sources.push(fromAttributes)

    const parent = top()
    const colors = sources.flatMap((d) => (colorOf(d) === undefined ? [] : [colorOf(d)!]))
    const backgrounds = sources.flatMap((d) => (backgroundOf(d) === undefined ? [] : [backgroundOf(d)!]))
    const open: Open = {
      tag,
      isHidden:
        parent.isHidden ||
        droppedTags.has(tag) ||
        attributes.has('hidden') ||
        attributes.get('aria-hidden') === 'true' ||
        (tag === 'details' && !attributes.has('open')) ||
        sources.some(hides),
      colors: colors.length ? colors : parent.colors,
      backgrounds: backgrounds.length ? backgrounds : parent.backgrounds,
    }
    if (!open.isHidden && sources.some(isLayered)) isUndecidable = true
    if (blockTags.has(tag) && !parent.isHidden) newline()
    if (!voidTags.has(tag)) {
      stack.push(open)
      openCount.set(tag, (openCount.get(tag) ?? 0) + 1)
    }
    // Deeper than any mail needs: the rest is not quoted (and no end tag costs more than this depth).
    if (stack.length > maxDepth) break
  }
  const text = out
    .join('')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
  return { text, isUndecidable }
}
