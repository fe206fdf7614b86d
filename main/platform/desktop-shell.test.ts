import { describe, expect, it, vi } from 'vitest'
import { newMailNotifier, quitAfterStop, type ShellWindow } from './desktop-shell.ts'

function fakeWindow(isMinimized: boolean) {
  const calls: string[] = []
  const window: ShellWindow = {
    isMinimized: () => isMinimized,
    restore: () => void calls.push('restore'),
    focus: () => void calls.push('focus'),
    show: (section) => void calls.push(`show ${section}`),
  }
  return { window, calls }
}

function fakeNotifications(supported = true) {
  const shown: { notice: { title: string; body: string }; click: () => void }[] = []
  return {
    shown,
    isSupported: () => supported,
    create: (notice: { title: string; body: string }) => {
      const entry = { notice, click: () => undefined as void }
      return {
        onClick: (run: () => void) => void (entry.click = run),
        show: () => void shown.push(entry),
      }
    },
  }
}

describe('the new-mail notification', () => {
  it('shows the words it is given; a click restores and focuses the window and opens the Posteingang', () => {
    const notifications = fakeNotifications()
    const { window, calls } = fakeWindow(true)
    const notify = newMailNotifier({ ...notifications, window: () => window })
    notify({ title: 'Siegelpost – kanzlei', body: 'Neue verschlüsselte Nachricht' })
    expect(notifications.shown.map((n) => n.notice)).toEqual([
      { title: 'Siegelpost – kanzlei', body: 'Neue verschlüsselte Nachricht' },
    ])
    expect(calls).toEqual([])
    notifications.shown[0]!.click()
    expect(calls).toEqual(['restore', 'focus', 'show inbox'])
  })

  it('a window that is not minimized is only focused and shows the Posteingang; without a window nothing happens', () => {
    const notifications = fakeNotifications()
    const { window, calls } = fakeWindow(false)
    let current: ShellWindow | null = window
    const notify = newMailNotifier({ ...notifications, window: () => current })
    notify({ title: 't', body: 'b' })
    notifications.shown[0]!.click()
    expect(calls).toEqual(['focus', 'show inbox'])
    current = null
    notify({ title: 't', body: 'b' })
    expect(() => notifications.shown[1]!.click()).not.toThrow()
    expect(calls).toEqual(['focus', 'show inbox'])
  })

  it('where the OS has no notification service nothing is shown', () => {
    const notifications = fakeNotifications(false)
    const notify = newMailNotifier({ ...notifications, window: () => null })
    notify({ title: 't', body: 'b' })
    expect(notifications.shown).toEqual([])
  })
})

describe('quitting', () => {
  it('holds the first quit until the watches stopped, then quits; the second quit goes through', async () => {
    let stopped: () => void = () => undefined
    const quit = vi.fn()
    const handler = quitAfterStop({ stop: () => new Promise<void>((r) => (stopped = r)), waitMs: 60_000, quit })
    const first = { preventDefault: vi.fn() }
    handler(first)
    expect(first.preventDefault).toHaveBeenCalledOnce()
    await new Promise((r) => setTimeout(r, 20))
    expect(quit).not.toHaveBeenCalled()
    stopped()
    await vi.waitFor(() => expect(quit).toHaveBeenCalledOnce())
    const second = { preventDefault: vi.fn() }
    handler(second)
    expect(second.preventDefault).not.toHaveBeenCalled()
    expect(quit).toHaveBeenCalledOnce()
  })

  it('quits after the wait when a watch does not log out in time, and when stopping fails', async () => {
    vi.useFakeTimers()
    try {
      const quit = vi.fn()
      quitAfterStop({ stop: () => new Promise(() => undefined), waitMs: 3_000, quit })({ preventDefault() {} })
      await vi.advanceTimersByTimeAsync(2_999)
      expect(quit).not.toHaveBeenCalled()
      await vi.advanceTimersByTimeAsync(1)
      expect(quit).toHaveBeenCalledOnce()
      const quitAgain = vi.fn()
      quitAfterStop({ stop: () => Promise.reject(new Error('gone')), waitMs: 3_000, quit: quitAgain })({
        preventDefault() {},
      })
      await vi.advanceTimersByTimeAsync(0)
      expect(quitAgain).toHaveBeenCalledOnce()
    } finally {
      vi.useRealTimers()
    }
  })
})
