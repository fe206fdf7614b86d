import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { Notice, StepList, type Tone } from './components'
import { I18nProvider, translate } from './i18n'

const html = (props: Parameters<typeof Notice>[0]) => renderToStaticMarkup(createElement(Notice, props))

describe('Notice', () => {
  it('gives every tone its colour class and a mark that screen readers skip', () => {
    const marks: Record<Tone, string> = { ok: '✓', info: 'ℹ', warning: '⚠', error: '✕' }
    for (const [tone, mark] of Object.entries(marks) as [Tone, string][]) {
      expect(html({ tone, children: 'Text' })).toContain(`class="notice notice-${tone}"`)
      expect(html({ tone, children: 'Text' })).toContain(`<span aria-hidden="true">${mark} </span>Text`)
    }
  })

  it('announces successes politely and errors at once, other tones only when asked', () => {
    expect(html({ tone: 'ok', children: 'Gespeichert' })).toContain('role="status"')
    expect(html({ tone: 'error', children: 'Fehler' })).toContain('role="alert"')
    expect(html({ tone: 'warning', children: 'Achtung' })).not.toContain('role=')
    expect(html({ tone: 'warning', role: 'alert', children: 'Achtung' })).toContain('role="alert"')
  })

  it('is a block with a bold title when it has one, and carries its test id and error code', () => {
    const block = html({
      tone: 'warning',
      title: 'Zwischenzertifikat fehlt',
      testId: 'missing',
      code: 'X',
      children: 'Fix',
    })
    expect(block).toMatch(/^<div class="notice notice-warning" data-testid="missing" data-code="X">/)
    expect(block).toContain('<strong><span aria-hidden="true">⚠ </span>Zwischenzertifikat fehlt</strong>Fix</div>')
  })

  it('takes another mark where the tone’s would mislead', () => {
    expect(html({ tone: 'warning', mark: '✕', children: 'Nicht verwendbar' })).toContain('>✕ </span>')
  })
})

describe('StepList', () => {
  const steps = [
    { id: 'source', label: 'import.step.source' },
    { id: 'passphrase', label: 'import.step.passphrase' },
    { id: 'preview', label: 'import.step.preview' },
    { id: 'result', label: 'import.step.result' },
  ] as const
  const list = (wasSkipped?: (id: string) => boolean) =>
    renderToStaticMarkup(
      createElement(I18nProvider, null, createElement(StepList, { steps, current: 'preview', wasSkipped })),
    )

  it('ticks the steps behind, marks the current one and writes out where the user is', () => {
    const html = list()
    expect(html.match(/<li class="done">/g)).toHaveLength(2)
    expect(html).toContain('<li aria-current="step"><span aria-hidden="true">3</span>')
    expect(html).toContain(`<p class="step-count">${translate('de', 'import.progress', { current: 3, total: 4 })}</p>`)
  })

  it('dashes a step behind that was not needed', () => {
    const html = list((id) => id === 'passphrase')
    expect(html).toContain('<li class="skipped"><span aria-hidden="true">–</span>')
    expect(html.match(/<li class="done">/g)).toHaveLength(1)
  })
})
