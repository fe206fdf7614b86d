import DOMPurify from 'dompurify'

/**
 * HTML mail made safe to show, in the window's own DOM (the same parser that renders it, so no
 * parser differences). What it removes is only the first wall: the frame is sandboxed without
 * scripts, forms or same-origin, its CSP allows no network, and main cancels every web request.
 *  - No scripts, event handlers, forms, frames, objects, embeds, meta refresh or base.
 *  - Nothing loaded from anywhere: images only as data: (cid: images from the message itself),
 *    CSS url() and @import removed unless data:, srcset/background/poster dropped.
 *  - Links cannot be followed from the frame: the target moves to the title (shown on hover).
 */
export const mailFramePolicy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

const forbiddenTags = [
  'form',
  'input',
  'button',
  'textarea',
  'select',
  'option',
  'link',
  'meta',
  'base',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'svg',
  'math',
  'video',
  'audio',
  'source',
  'track',
  'picture',
  'portal',
  'template',
  'noscript',
]
const forbiddenAttributes = [
  'srcset',
  'action',
  'formaction',
  'ping',
  'background',
  'poster',
  'xlink:href',
  'lowsrc',
  'dynsrc',
  'longdesc',
  'usemap',
]
const dataImage = /^data:image\/(png|jpe?g|gif|webp|bmp);base64,[a-z0-9+/=\s]*$/i

function cleanCss(css: string, images: ReadonlyMap<string, string>): string {
  return css
    .replace(/@import[^;]*;?/gi, '')
    .replace(/(?:-webkit-)?image-set\([^)]*\)/gi, 'none')
    .replace(/url\(\s*(['"]?)([^'")]*)\1\s*\)/gi, (_whole, _quote: string, target: string) => {
      const value = target.trim()
      if (value.toLowerCase().startsWith('cid:')) {
        const data = images.get(value.slice(4))
        return data ? `url("${data}")` : 'none'
      }
      return dataImage.test(value) ? `url("${value}")` : 'none'
    })
    .replace(/expression\s*\(/gi, 'none(')
}

/** The whole srcdoc for one HTML part (the frame's own CSP first, then the sanitized document), and whether links were made inert. */
export function sanitizedFrameDocument(
  html: string,
  inlineImages: readonly { cid: string; dataUrl: string }[],
): { srcdoc: string; hasLinks: boolean } {
  let hasLinks = false
  const images = new Map(inlineImages.map((image) => [image.cid, image.dataUrl]))
  const purify = DOMPurify(window)
  purify.addHook('uponSanitizeElement', (node) => {
    if (node.nodeName === 'STYLE' && node.textContent) node.textContent = cleanCss(node.textContent, images)
  })
  purify.addHook('afterSanitizeAttributes', (node) => {
    if (!(node instanceof Element)) return
    const style = node.getAttribute('style')
    if (style !== null) node.setAttribute('style', cleanCss(style, images))
    if (node.nodeName === 'IMG') {
      const src = node.getAttribute('src')?.trim() ?? ''
      const resolved = src.toLowerCase().startsWith('cid:')
        ? (images.get(src.slice(4)) ?? null)
        : dataImage.test(src)
          ? src
          : null
      if (resolved) node.setAttribute('src', resolved)
      else {
        node.removeAttribute('src')
        if (!node.getAttribute('alt')) node.setAttribute('alt', '')
      }
    }
    if (node.hasAttribute('href')) {
      const href = node.getAttribute('href') ?? ''
      node.removeAttribute('href')
      hasLinks = true
      if (/^(https?|mailto):/i.test(href) && !node.getAttribute('title')) node.setAttribute('title', href)
    }
    node.removeAttribute('target')
  })
  const clean = purify.sanitize(html, {
    WHOLE_DOCUMENT: true,
    FORBID_TAGS: forbiddenTags,
    FORBID_ATTR: forbiddenAttributes,
    ALLOW_DATA_ATTR: false,
    ALLOW_UNKNOWN_PROTOCOLS: false,
  })
  const head = `<meta http-equiv="Content-Security-Policy" content="${mailFramePolicy}"><meta name="referrer" content="no-referrer"><meta http-equiv="x-dns-prefetch-control" content="off">`
  const base =
    '<style>html,body{margin:0;padding:8px 12px;font-family:system-ui,sans-serif;color:#1d2330;background:#fff;overflow-wrap:anywhere}a{color:#1d4f91;text-decoration:underline;cursor:help}</style>'
  return { srcdoc: `<!doctype html>${head}${base}${clean}`, hasLinks }
}
