import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react'
import type { MessageRowView } from '../../../preload/mailbox-contract'
import { settle } from '../use-call'
import type { InboxWord } from './inbox-words'
import { rowHeight } from './message-list'

/** After a failed `mailbox:changes` (the vault not open yet, main busy) the window asks again after this. */
const retryMs = 5000

export interface NewMailNews {
  unread: number
  encrypted: number
  /** Counts up with every announcement, so the same words are announced again. */
  round: number
}

/**
 * The words of the in-window announcement: counts only, never a subject or a sender (the same rule as the
 * OS notification, which main words from the core's table).
 */
export function newMailWords(news: Pick<NewMailNews, 'unread' | 'encrypted'>): {
  word: InboxWord
  params: Record<string, number>
} {
  const { unread, encrypted } = news
  if (unread === 1) return { word: encrypted === 1 ? 'inbox.newOneEncrypted' : 'inbox.newOne', params: {} }
  if (encrypted === unread) return { word: 'inbox.newManyEncrypted', params: { count: unread } }
  if (encrypted > 0) return { word: 'inbox.newManySome', params: { count: unread, encrypted } }
  return { word: 'inbox.newMany', params: { count: unread } }
}

/**
 * Waits in main for what the new-mail watch changed (`mailbox:changes`, one call at a time, each answered
 * when something changed, a watch's state changed, or after a while) and then runs `refresh` (the folders'
 * counts and the list). Returns the latest news of new unread mail for the polite announcement (null before
 * there is any) and the accounts whose watch has no connection now.
 */
export function useNewMail(
  lang: 'de' | 'en',
  refresh: () => Promise<void>,
): { news: NewMailNews | null; offline: string[] } {
  const [news, setNews] = useState<NewMailNews | null>(null)
  const [offline, setOffline] = useState<string[]>([])
  const langRef = useRef(lang)
  langRef.current = lang
  const refreshRef = useRef(refresh)
  refreshRef.current = refresh
  useEffect(() => {
    let isLive = true
    void (async () => {
      let after = -1
      while (isLive) {
        const answer = await settle(window.siegelpost.mailboxChanges({ after, lang: langRef.current }))
        if (!isLive) return
        if (!answer.ok) {
          await new Promise((resolve) => setTimeout(resolve, retryMs))
          continue
        }
        const changes = after < 0 ? [] : answer.value.changes
        after = answer.value.seq
        const cut = answer.value.watching.filter((watch) => watch.state === 'offline').map((watch) => watch.account)
        setOffline((previous) => (previous.join('\n') === cut.join('\n') ? previous : cut))
        if (changes.length === 0) continue
        await refreshRef.current()
        const unread = changes.reduce((sum, change) => sum + change.unread, 0)
        const encrypted = changes.reduce((sum, change) => sum + change.encrypted, 0)
        if (unread > 0 && isLive) setNews((previous) => ({ unread, encrypted, round: (previous?.round ?? 0) + 1 }))
      }
    })()
    return () => {
      isLive = false
    }
  }, [])
  return { news, offline }
}

/**
 * Keeps what the user looks at in place when rows arrive above it: a list scrolled down stays on the same
 * message (its first visible row keeps its offset); a list at the top shows the new mail at the top.
 */
export function useKeepScroll(
  listRef: RefObject<HTMLDivElement | null>,
  rowAt: (index: number) => MessageRowView | undefined,
  total: number,
  /** The list's query (folder, search, order): a new one places the list itself (message-list.tsx). */
  key: string,
): void {
  const previous = useRef({ rowAt, total, key })
  useLayoutEffect(() => {
    const before = previous.current
    previous.current = { rowAt, total, key }
    const element = listRef.current
    if (!element || before.total === total || before.key !== key || element.scrollTop <= 0) return
    const index = Math.floor(element.scrollTop / rowHeight)
    const anchor = before.rowAt(index)
    if (!anchor) return
    // Rows arrived (or left) above: the anchor moved by at most the change of the total.
    const reach = Math.abs(total - before.total)
    for (let distance = 1; distance <= reach; distance++)
      for (const moved of [index + distance, index - distance])
        if (rowAt(moved)?.id === anchor.id) {
          element.scrollTop += (moved - index) * rowHeight
          return
        }
  }, [rowAt, total, key, listRef])
}
