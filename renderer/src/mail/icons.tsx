/**
 * Small line icons drawn as inline SVG (no font or emoji needed, nothing loaded). Always beside
 * words: an icon is decoration (aria-hidden), the words carry the meaning.
 */
export type IconName =
  | 'lock'
  | 'lock-open'
  | 'check'
  | 'seal'
  | 'warning'
  | 'cross'
  | 'question'
  | 'half'
  | 'renew'
  | 'info'
  | 'ban'
  | 'flag'
  | 'envelope'
  | 'clock'

const paths: Record<IconName, string> = {
  lock: 'M7 11V8a5 5 0 0 1 10 0v3M5 11h14v10H5z',
  'lock-open': 'M7 11V8a5 5 0 0 1 9.6-2M5 11h14v10H5z',
  check: 'M5 13l4 4L19 7',
  seal: 'M12 3l2.2 2.1 3-.4.5 3 2.6 1.6-1.3 2.7 1.3 2.7-2.6 1.6-.5 3-3-.4L12 21l-2.2-2.1-3 .4-.5-3-2.6-1.6L5 12 3.7 9.3l2.6-1.6.5-3 3 .4z',
  warning: 'M12 3l10 18H2zM12 10v5M12 18v.5',
  cross: 'M6 6l12 12M18 6L6 18',
  question: 'M9 9a3 3 0 1 1 4.5 2.6c-.9.5-1.5 1.2-1.5 2.4M12 18v.5',
  half: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM12 3v18',
  renew: 'M20 12a8 8 0 1 1-2.3-5.7M20 4v5h-5',
  info: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM12 11v6M12 7.5v.5',
  ban: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM5.6 5.6l12.8 12.8',
  flag: 'M5 21V4M5 4h11l-2 4 2 4H5',
  envelope: 'M3 6h18v12H3zM3 6l9 7 9-7',
  clock: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM12 7v5l3 2',
}

export function Icon({ name, size = 18 }: { name: IconName; size?: number }) {
  return (
    <svg
      className={`sp-icon sp-icon-${name}`}
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={paths[name]} />
    </svg>
  )
}

export function Icons({ names, size }: { names: readonly IconName[]; size?: number }) {
  return (
    <span className="sp-icons" aria-hidden="true">
      {names.map((name) => (
        <Icon key={name} name={name} size={size} />
      ))}
    </span>
  )
}
