import { Notification } from 'electron'
import type { NotifierSeam } from './desktop-shell.ts'

/** Electron's notifications as desktop-shell.ts uses them (what a click does is decided there). */
export const electronNotifications: Pick<NotifierSeam, 'isSupported' | 'create'> = {
  isSupported: () => Notification.isSupported(),
  create: (notice) => {
    const notification = new Notification({ title: notice.title, body: notice.body })
    return { onClick: (run) => void notification.on('click', run), show: () => notification.show() }
  },
}
