import type { ChipState } from './chip-state'

const paths: Partial<Record<ChipState, string>> = {
  // a lock (end-to-end)
  smime: 'M7 11V7a5 5 0 0 1 10 0v4M5 11h14v10H5z',
  openpgp: 'M7 11V7a5 5 0 0 1 10 0v4M5 11h14v10H5z',
  // a document with a lock (password PDF)
  container: 'M14 2H6v20h12V6zM14 2v4h4M9 14h6v5H9zM10 14v-2a2 2 0 0 1 4 0v2',
  // a shield (transport encryption only)
  tls: 'M12 2l8 3v6c0 5-3.5 9-8 11-4.5-2-8-6-8-11V5z',
}
const marks: Partial<Record<ChipState, string>> = { attention: '!', blocked: '✕', invalid: '✕', checking: '…' }

/** The chip's icon: drawn, so it shows on every system; hidden from screen readers (they hear the badge words). */
export function ChipIcon({ state }: { state: ChipState }) {
  const path = paths[state]
  if (!path) return <span aria-hidden="true">{marks[state]} </span>
  return (
    <svg
      className="chip-icon"
      aria-hidden="true"
      width="12"
      height="12"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2.4"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d={path} />
    </svg>
  )
}

/** A paperclip, drawn (an emoji would depend on the system's fonts). */
export function PaperclipIcon() {
  return (
    <svg
      className="attachment-icon"
      aria-hidden="true"
      width="14"
      height="14"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d="M21.4 11.1l-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5" />
    </svg>
  )
}
