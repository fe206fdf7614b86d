import { BrowserWindow, session } from 'electron'

/** Its own session for the print page: no permissions, no requests (the page is self-contained). */
const printPartition = 'siegelpost-print'

/**
 * Prints a self-contained HTML page (the message record) through the OS print dialog: an
 * invisible window without scripts in a session that loads nothing, closed after printing.
 */
export async function printPage(page: { html: string; title: string }): Promise<boolean> {
  const printSession = session.fromPartition(printPartition)
  printSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  printSession.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !details.url.startsWith('data:') }))
  const window = new BrowserWindow({
    show: false,
    title: page.title,
    webPreferences: { session: printSession, javascript: false, sandbox: true, contextIsolation: true },
  })
  try {
    await window.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(page.html)}`)
    return await new Promise<boolean>((resolve) =>
      window.webContents.print({ silent: false, printBackground: false }, (success) => resolve(success)),
    )
  } finally {
    window.destroy()
  }
}
