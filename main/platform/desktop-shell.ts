import type { ShellSection } from '../../preload/shell-events.ts'

/**
 * The desktop behaviour around the window that does not need Electron to be decided (app.electron.ts and
 * notify.electron.ts only connect it): the new-mail notification and what its click does, and quitting after
 * the new-mail watches logged out of their IMAP sessions.
 */

/** The app's window as these functions need it. */
export interface ShellWindow {
  isMinimized(): boolean
  restore(): void
  focus(): void
  /** Asks the page to show `section` (through the preload's `siegelpostShell`). */
  show(section: ShellSection): void
}

/** One OS notification, before it is shown. */
export interface ShellNotification {
  onClick(run: () => void): void
  show(): void
}

export interface NotifierSeam {
  /** False where the OS has no notification service: then nothing is shown. */
  isSupported(): boolean
  create(notice: { title: string; body: string }): ShellNotification
  /** The main window, if there is one. */
  window(): ShellWindow | null
}

/** Notifications kept referenced until clicked (an unreferenced one may lose its click handler). */
const keptNotifications = 20

/**
 * Shows a new-mail notification with the words the core made (`newMailNotice`: no subject, no sender);
 * clicking it brings the window forward (restored when minimized) and opens the Posteingang.
 */
export function newMailNotifier(seam: NotifierSeam): (notice: { title: string; body: string }) => void {
  const kept: ShellNotification[] = []
  return (notice) => {
    if (!seam.isSupported()) return
    const notification = seam.create(notice)
    kept.push(notification)
    if (kept.length > keptNotifications) kept.shift()
    notification.onClick(() => {
      const at = kept.indexOf(notification)
      if (at >= 0) kept.splice(at, 1)
      const window = seam.window()
      if (!window) return
      if (window.isMinimized()) window.restore()
      window.focus()
      window.show('inbox')
    })
    notification.show()
  }
}

export interface QuitSeam {
  /** Ends what runs in the background (the watches log out of their IMAP sessions). */
  stop(): Promise<unknown>
  /** How long quitting waits for `stop` (limits.mailWatchStopWaitMs). */
  waitMs: number
  /** Quits the app (called once `stop` ended or the wait is over). */
  quit(): void
}

/**
 * The app's `before-quit` handler: the first quit is held back until the watches stopped or `waitMs` passed,
 * then quits again; that second quit (and any later one) goes through.
 */
export function quitAfterStop(seam: QuitSeam): (event: { preventDefault(): void }) => void {
  let isQuitting = false
  return (event) => {
    if (isQuitting) return
    isQuitting = true
    event.preventDefault()
    let timer: ReturnType<typeof setTimeout> | undefined
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, seam.waitMs)))
    void Promise.race([seam.stop().catch(() => undefined), waited]).finally(() => {
      clearTimeout(timer)
      seam.quit()
    })
  }
}
