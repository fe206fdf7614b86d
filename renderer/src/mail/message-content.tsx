import { useMemo } from 'react'
import type { ReadingView } from '../../../preload/mail-contract'
import { Icon } from './icons'
import { MailFrame } from './mail-frame'
import { textBlocks } from './text-blocks'
import { useMailWords } from './words'

type Part = ReadingView['parts'][number]

/**
 * The displayed parts, each in its own box: plain text as text, HTML in a frame of its own.
 * In a partly protected message every unprotected part sits under the divider "Ungeschützter Teil".
 */
export function MessageContent({ view, onRestore }: { view: ReadingView; onRestore: (() => void) | null }) {
  const { w } = useMailWords()
  if (view.summary.isContentHidden)
    return (
      <div className="sp-hidden-content" data-testid="hidden-content">
        <p>
          {view.summary.state !== 'cannot-decrypt'
            ? w('content.hiddenInsecure')
            : view.summary.isKeyMissing
              ? w('content.hiddenNoKey')
              : w('content.hiddenDamaged')}
        </p>
        {onRestore && view.summary.isKeyMissing && (
          <button type="button" className="primary" onClick={onRestore}>
            {w('details.restore')}
          </button>
        )}
      </div>
    )
  const shown = view.parts.filter((part) => part.kind !== 'attachment')
  if (shown.length === 0) return <p className="sp-muted">{w('content.empty')}</p>
  const isPartly = view.summary.state === 'partly-protected'
  const isProtected = (part: Part) => part.encrypted || part.signed
  return (
    <div className="sp-content" aria-label={w('content.label')} role="group">
      {shown.map((part, index) => {
        const body = <PartBody part={part} n={index + 1} />
        if (!isPartly || isProtected(part) || part.kind === 'not-opened')
          return (
            <div key={index} className="sp-part">
              {body}
            </div>
          )
        return (
          <div key={index} className="sp-part sp-part-unprotected" data-testid="unprotected-part">
            <div className="sp-divider" role="separator" aria-label={w('content.unprotected')}>
              <Icon name="warning" size={16} /> <strong>{w('content.unprotected')}</strong>
              <span> – {w('content.unprotectedNote')}</span>
            </div>
            {body}
          </div>
        )
      })}
    </div>
  )
}

function PartBody({ part, n }: { part: Part; n: number }) {
  const { w } = useMailWords()
  if (part.kind === 'not-opened')
    return (
      <p className="sp-not-opened" data-testid="not-opened">
        <Icon name="lock" size={16} /> {w('content.notOpened')}
      </p>
    )
  if (part.kind === 'text')
    return (
      <>
        {/* Focusable, so a long text can be scrolled with the keyboard too. */}
        <pre className="sp-text" data-testid="text-part" tabIndex={0}>
          <TextLines text={part.text} />
        </pre>
        {part.isTruncated && <p className="sp-muted">{w('content.truncated')}</p>}
      </>
    )
  if (part.kind === 'html')
    return (
      <>
        <MailFrame html={part.html} images={part.images} label={String(n)} />
        {part.isTruncated && <p className="sp-muted">{w('content.truncated')}</p>}
      </>
    )
  return null
}

/**
 * A long text in blocks of lines that the browser lays out only when they scroll into view
 * (`content-visibility: auto`, each block's height guessed from its lines until then): megabytes of text
 * show at once instead of stalling the window while every line is laid out. A short text is one block.
 */
function TextLines({ text }: { text: string }) {
  const blocks = useMemo(() => textBlocks(text), [text])
  if (blocks.length === 1) return text
  return blocks.map((block, index) => (
    <span key={index} className="sp-text-block" style={{ containIntrinsicBlockSize: `auto ${block.lines * 1.5}em` }}>
      {/* A newline at a block's end draws no line of its own: one more makes its empty line show. */}
      {block.text === '' || block.text.endsWith('\n') ? `${block.text}\n` : block.text}
    </span>
  ))
}
