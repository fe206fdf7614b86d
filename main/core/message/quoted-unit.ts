import type { Reading } from '../reading/open-for-reading.ts'
import { visibleTextOfHtml } from './visible-html.ts'

/**
 * What of an opened message may be quoted or forwarded: only the one unit the read view showed as
 * one protected whole — the content of the top-level encryption and/or signature (open.ts never
 * decrypts a nested part and never joins it with the rest), or the shown text of a plain message.
 * Left out, always: encrypted parts left closed and their pieces, attached or nested messages
 * (message/rfc822 stays an attachment, its text is never quoted), text hidden in HTML
 * (visible-html.ts), and OpenPGP blocks inside the text (ciphertext quoted back is what an attacker
 * who embedded it wants decrypted).
 */
export interface QuotedUnit {
  /** The text the reader saw, parts in order, each part on its own paragraph. */
  text: string
  /** The unit came out of end-to-end encryption: what is quoted from it must go out end-to-end only. */
  isEncrypted: boolean
  /** An HTML part hid text in a way that cannot be followed: that part is not quoted at all. */
  isHtmlLeftOut: boolean
  /** Indices into the open result's attachments that belong to the unit (not pieces of a closed part). */
  attachments: number[]
}

const armoredBlock = /-----BEGIN PGP (MESSAGE|SIGNED MESSAGE)-----[\s\S]*?(-----END PGP (MESSAGE|SIGNATURE)-----|$)/g

export function quotedUnitOf(reading: Reading): QuotedUnit {
  const isEncrypted = reading.document.security.encryption.state === 'encrypted'
  if (reading.document.security.encryption.state === 'failed')
    return { text: '', isEncrypted: false, isHtmlLeftOut: false, attachments: [] }
  const texts: string[] = []
  let isHtmlLeftOut = false
  const attachments: number[] = []
  for (const part of reading.parts) {
    // A part whose protection differs from the unit's is not of the unit (an encrypted part left closed).
    if (part.kind === 'not-opened') continue
    if (part.kind === 'attachment') {
      if (!part.isInClosedPart) attachments.push(part.index)
      continue
    }
    if (part.kind === 'text') texts.push(part.text)
    else {
      const visible = visibleTextOfHtml(part.html)
      if (visible.isUndecidable) isHtmlLeftOut = true
      else texts.push(visible.text)
    }
  }
  const text = texts
    .map((t) => t.replace(armoredBlock, '[…]').replace(/\r\n?/g, '\n').trim())
    .filter((t) => t !== '')
    .join('\n\n')
  return { text, isEncrypted, isHtmlLeftOut, attachments }
}
