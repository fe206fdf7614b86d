import { describe, expect, it } from 'vitest'
import { visibleTextOfHtml } from './visible-html.ts'

const visible = (html: string) => visibleTextOfHtml(html)

describe('visibleTextOfHtml', () => {
  it('keeps the text a reader sees, with paragraphs and entities', () => {
    const result = visible(
      '<html><head><title>T</title></head><body><p>Guten Tag,</p><p>anbei &amp; mehr&nbsp;dazu</p>',
    )
    expect(result).toEqual({ text: 'Guten Tag,\n\nanbei & mehr dazu', isUndecidable: false })
  })

  it.each([
    ['display:none', '<div style="display:none">SECRET</div>'],
    ['display:none with escapes and comments', '<div style="dis\\70 lay:/* x */none !important">SECRET</div>'],
    ['visibility:hidden', '<span style="visibility: hidden">SECRET</span>'],
    ['opacity 0', '<span style="opacity:0.01">SECRET</span>'],
    ['font-size 0', '<span style="font-size:0">SECRET</span>'],
    ['font-size 1px', '<span style="font-size:1px">SECRET</span>'],
    ['white on white', '<span style="color:#fff">SECRET</span>'],
    ['same colour as the cell', '<td bgcolor="#123456"><font color="#123456">SECRET</font></td>'],
    ['near colour on dark background', '<div style="background:#000"><span style="color:#050505">SECRET</span></div>'],
    ['transparent text', '<span style="color:rgba(0,0,0,0)">SECRET</span>'],
    ['zero height with overflow hidden', '<div style="max-height:0;overflow:hidden">SECRET</div>'],
    ['off the page', '<div style="margin-left:-9999px">SECRET</div>'],
    ['hidden attribute', '<p hidden>SECRET</p>'],
    ['closed details', '<details><summary>x</summary>SECRET</details>'],
    ['conditional comment', '<!--[if mso]><p>SECRET</p><![endif]-->'],
    ['unterminated comment', '<p>ok</p><!-- SECRET'],
    ['stylesheet class', '<style>.x { display: none }</style><p class="y x">SECRET</p>'],
    ['stylesheet in @media', '<style>@media screen { #h { font-size: 0 } }</style><p id="h">SECRET</p>'],
    ['hidden element closed by a wrong end tag', '<b><span style="display:none">SECRET</b>SECRET</span>'],
    ['a tag with an unclosed quote', '<div style="display:none>SECRET</div>'],
    ['template', '<template>SECRET</template>'],
    ['letters pushed together', '<span style="letter-spacing:-1em">SECRET</span>'],
    ['a two pixel box', '<div style="width:2px;white-space:nowrap;overflow:hidden">SECRET</div>'],
    ['scale 0', '<span style="scale:0">SECRET</span>'],
    ['the font shorthand', '<span style="font:0/0 a">SECRET</span>'],
    ['script', '<script>var SECRET</script>'],
  ])('leaves out text hidden by %s', (_name, html) => {
    const result = visible(`<p>shown</p>${html}`)
    expect(result.text).not.toContain('SECRET')
    expect(result.text).toContain('shown')
  })

  it('gives up on a part whose hiding it cannot follow', () => {
    expect(visible('<style>div > p { display:none }</style><div><p>SECRET</p></div>').isUndecidable).toBe(true)
    expect(visible('<div style="position:absolute;top:0">cover</div><p>SECRET</p>').isUndecidable).toBe(true)
    // A complex selector that only sets a readable colour is harmless.
    expect(visible('<style>a:hover { color: #0000ee }</style><p>text</p>')).toEqual({
      text: 'text',
      isUndecidable: false,
    })
  })

  it('stays fast on hostile nesting, and quotes nothing past a depth no mail needs', () => {
    const started = performance.now()
    const result = visible(`<p>shown</p>${'<b>'.repeat(200_000)}SECRET${'</i>'.repeat(200_000)}`)
    expect(performance.now() - started).toBeLessThan(2000)
    expect(result.text).toBe('shown')
    for (const hostile of [
      '<i>' + '<b style=display:none>'.repeat(999) + '</i>'.repeat(300_000),
      '<b>'.repeat(999) + '</i>'.repeat(300_000),
      '<![x'.repeat(200_000),
      `<style>${'a'.repeat(250_000)}</style>`,
      `<style>${'a{'.repeat(120_000)}</style>`,
      'a<b '.repeat(300_000),
    ]) {
      const start = performance.now()
      visible(hostile)
      expect(performance.now() - start).toBeLessThan(2000)
    }
  })

  it('keeps light text on a dark background', () => {
    expect(visible('<body style="background-color:#000"><p style="color:#fff">Hallo</p></body>').text).toBe('Hallo')
  })
})
