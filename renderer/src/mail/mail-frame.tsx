import { useMemo } from 'react'
import { sanitizedFrameDocument } from './sanitize'
import { useMailWords } from './words'

/**
 * One HTML part in a frame of its own: sanitized here, then shown in a sandboxed srcdoc frame
 * (empty `sandbox`: no scripts, forms, popups, navigation of the window or same-origin access).
 * Two parts never share a frame, so decrypted text is never in one document with other parts.
 */
export function MailFrame({
  html,
  images,
  label,
}: {
  html: string
  images: readonly { cid: string; dataUrl: string }[]
  label: string
}) {
  const { w } = useMailWords()
  const { srcdoc, hasLinks } = useMemo(() => sanitizedFrameDocument(html, images), [html, images])
  return (
    <>
      <iframe
        className="sp-mail-frame"
        sandbox=""
        srcDoc={srcdoc}
        title={`${w('content.htmlTitle')} – ${label}`}
        referrerPolicy="no-referrer"
        loading="eager"
        data-testid="mail-frame"
      />
      {hasLinks && <p className="sp-frame-note">{w('content.linksInert')}</p>}
    </>
  )
}
