import { createContext, useContext, type ReactNode } from 'react'
import type { MessageRowView } from '../../../preload/mailbox-contract'
import { Icon } from './icons'
import { useInboxWords } from './inbox-words'

export type ToggleWhat = 'read' | 'flag'

/**
 * The Posteingang puts the opened stored message's actions into the read view's toolbar through this slot
 * (null for a message opened from a file, which has no server marks).
 */
export const MessageActionsSlot = createContext<ReactNode>(null)
export const useMessageActionsSlot = () => useContext(MessageActionsSlot)

/** The `mailbox:flag` change that toggles `what` on `row`. */
export const changeOf = (row: MessageRowView, what: ToggleWhat) =>
  what === 'read' ? (row.isUnread ? 'seen' : 'unseen') : row.isFlagged ? 'unflagged' : 'flagged'

/**
 * The opened stored message's marks: read/unread and flagged, written to the server first, then to the
 * store (main's `mailbox:flag`). Each button says what it does; the line beside says the state in words
 * (never a colour alone). The same with Shift+U and S from the list or the read pane.
 */
export function MessageActions({
  row,
  busy,
  onToggle,
}: {
  row: MessageRowView
  busy: boolean
  onToggle: (what: ToggleWhat) => void
}) {
  const { w } = useInboxWords()
  return (
    <div role="toolbar" aria-label={w('actions.label')} className="sp-message-actions" data-testid="message-actions">
      <button
        type="button"
        data-testid="toggle-read"
        data-unread={row.isUnread ? 'true' : 'false'}
        disabled={busy}
        aria-keyshortcuts="Shift+U"
        onClick={() => onToggle('read')}
      >
        <Icon name="envelope" size={16} /> {row.isUnread ? w('actions.markRead') : w('actions.markUnread')}
      </button>
      <button
        type="button"
        data-testid="toggle-flag"
        aria-keyshortcuts="S"
        disabled={busy}
        onClick={() => onToggle('flag')}
      >
        <Icon name="flag" size={16} /> {row.isFlagged ? w('actions.unflag') : w('actions.flag')}
      </button>
      <span className="sp-muted sp-message-state" data-testid="message-state">
        {row.isUnread ? w('inbox.unread') : w('actions.read')}
        {row.isFlagged ? ` · ${w('inbox.flagged')}` : ''}
        {row.waiting.length > 0 && (
          <span className="sp-message-waiting" data-testid="message-waiting">
            {' · '}
            <Icon name="clock" size={14} />
            {w(row.waiting.includes('trash') ? 'inbox.waitingTrash' : 'inbox.waiting')}
          </span>
        )}
      </span>
    </div>
  )
}
