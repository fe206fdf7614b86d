import { Notification } from 'electron'

/**
 * Shows a desktop notification with the words the core made (`newMailNotice`: no subject, no sender). Silent
 * where the OS has no notification service; clicking it brings the window forward.
 */
export function showNotification(notice: { title: string; body: string }, onClick: () => void): void {
  if (!Notification.isSupported()) return
  const notification = new Notification({ title: notice.title, body: notice.body })
  notification.on('click', onClick)
  notification.show()
}
