import { useEffect, useState } from 'react'
import { Icon } from './icons'
import { useInboxWords } from './inbox-words'
import { newMailWords, type NewMailNews } from './use-new-mail'
import './new-mail.css'

/** How long the words stay visible after new mail came; the list itself shows it after that. */
const shownMs = 60_000

/**
 * The polite announcement of new mail (aria-live): how many and whether encrypted, never a subject or a
 * sender. The live region is always in the page (empty at first), so screen readers announce its change;
 * each announcement replaces its text node, so the same words are said again for the next new mail.
 */
export function NewMailNote({ news, offline }: { news: NewMailNews | null; offline: readonly string[] }) {
  const { w } = useInboxWords()
  const [isShown, setShown] = useState(false)
  useEffect(() => {
    if (!news) return
    setShown(true)
    const timer = setTimeout(() => setShown(false), shownMs)
    return () => clearTimeout(timer)
  }, [news])
  const words = news ? newMailWords(news) : null
  return (
    <>
      <p className="sp-new-mail" role="status" aria-live="polite" data-testid="new-mail-announcement">
        {isShown && words && (
          <span key={news?.round} className="sp-new-mail-text">
            <Icon name={news && news.encrypted > 0 ? 'lock' : 'info'} size={14} />
            {w(words.word, words.params)}
          </span>
        )}
      </p>
      <p className="sp-new-mail" role="status" data-testid="watch-offline">
        {offline.length > 0 && (
          <span className="sp-new-mail-offline">
            <Icon name="warning" size={14} />
            {w('inbox.watchOffline', { account: offline.join(', ') })}
          </span>
        )}
      </p>
    </>
  )
}
