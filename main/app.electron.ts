import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  protocol,
  session,
  shell,
  type Session,
  type WebContents,
} from 'electron'
import { createAppCore } from './app-core.ts'
import { serveAppFile } from './app-protocol.ts'
import { limits } from './core/limits.ts'
import { resolveProfileDir } from './core/profile.ts'
import { mountIpc } from './ipc/mount.electron.ts'
import { createOsKeychain } from './platform/os-keychain.ts'
import { newMailNotifier, quitAfterStop } from './platform/desktop-shell.ts'
import { electronNotifications } from './platform/notify.electron.ts'
import { printPage } from './platform/print.electron.ts'
import { startStreamWorker } from './workers/start-worker.ts'
import { showSectionChannel } from '../preload/shell-events.ts'
import {
  appEntryUrl,
  appOrigin,
  appScheme,
  blockedInMailView,
  createMainWindowOptions,
  isAllowedNavigation,
  isCancelledInWindow,
  mailViewPartition,
} from './shell-policy.ts'

const here = fileURLToPath(new URL('.', import.meta.url))
const rendererRoot = join(here, '../renderer')
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined
const trustedOrigins = devServerUrl ? [appOrigin, new URL(devServerUrl).origin] : [appOrigin]

protocol.registerSchemesAsPrivileged([
  { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
])
app.setPath(
  'userData',
  resolveProfileDir(undefined, {
    platform: process.platform,
    home: app.getPath('home'),
    env: process.env,
    cwd: process.cwd(),
  }),
)

function denyEverything(ses: Session): void {
  ses.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false))
  ses.setPermissionCheckHandler(() => false)
  ses.setDevicePermissionHandler(() => false)
}

function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, trustedOrigins)) event.preventDefault()
  })
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, trustedOrigins)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
}

app.on('web-contents-created', (_event, contents) => lockDown(contents))
app.on('window-all-closed', () => app.quit())

void app.whenReady().then(async () => {
  denyEverything(session.defaultSession)
  const mailView = session.fromPartition(mailViewPartition)
  denyEverything(mailView)
  mailView.webRequest.onBeforeRequest({ urls: [...blockedInMailView] }, (_details, callback) =>
    callback({ cancel: true }),
  )
  // The read view's mail frames live in the window's session: nothing but the app's own files loads there.
  session.defaultSession.webRequest.onBeforeRequest({ urls: [...blockedInMailView] }, (details, callback) =>
    callback({ cancel: isCancelledInWindow(details.url, trustedOrigins) }),
  )

  protocol.handle(appScheme, async (request) => {
    const answer = await serveAppFile(rendererRoot, request.method, request.url)
    return new Response(answer.body, { status: answer.status, headers: answer.headers })
  })

  const core = createAppCore({
    profileDir: app.getPath('userData'),
    keySource: async () => ({ mode: 'keychain', store: createOsKeychain() }),
    appInfo: {
      name: 'Siegelpost',
      version: app.getVersion(),
      platform: process.platform,
      runtime: {
        node: process.versions.node,
        electron: process.versions.electron ?? null,
        chrome: process.versions.chrome ?? null,
      },
    },
    trustedOrigins,
    chooseSavePath: async ({ suggestedName, kind }) => {
      const owner = BrowserWindow.getFocusedWindow()
      const options = {
        defaultPath: join(app.getPath(kind === 'attachment' ? 'downloads' : 'documents'), suggestedName),
      }
      const result = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options)
      return result.canceled || !result.filePath ? null : result.filePath
    },
    chooseOpenPath: async () => {
      const owner = BrowserWindow.getFocusedWindow()
      const options = { properties: ['openFile' as const], filters: [{ name: 'PDF', extensions: ['pdf'] }] }
      const result = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options)
      return result.canceled ? null : (result.filePaths[0] ?? null)
    },
    chooseOpenPaths: async () => {
      const owner = BrowserWindow.getFocusedWindow()
      const options = {
        defaultPath: app.getPath('documents'),
        properties: ['openFile' as const, 'multiSelections' as const],
      }
      const result = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options)
      return result.canceled ? [] : result.filePaths
    },
    writeClipboard: async (text) => clipboard.writeText(text),
    clearClipboard: async (text) => {
      if ((await clipboard.readText()) === text) clipboard.clear()
    },
    mailShell: {
      chooseMessageFile: async () => {
        const owner = BrowserWindow.getFocusedWindow()
        const options = { properties: ['openFile' as const], filters: [{ name: 'E-Mail', extensions: ['eml'] }] }
        const result = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options)
        return result.canceled ? null : (result.filePaths[0] ?? null)
      },
      openPath: async (path) => void (await shell.openPath(path)),
      print: printPage,
    },
    startWorker: startStreamWorker,
    watchMail: true,
    notify: newMailNotifier({
      ...electronNotifications,
      window: () => {
        const [shown] = BrowserWindow.getAllWindows()
        if (!shown) return null
        return {
          isMinimized: () => shown.isMinimized(),
          restore: () => shown.restore(),
          focus: () => shown.focus(),
          show: (section) => shown.webContents.send(showSectionChannel, section),
        }
      },
    }),
    log: (entry) => console.warn('ipc refused', entry),
  })
  mountIpc(ipcMain, core.dispatch)
  // The new-mail watches log out of their IMAP sessions before the app ends.
  app.on('before-quit', quitAfterStop({ stop: core.stop, waitMs: limits.mailWatchStopWaitMs, quit: () => app.quit() }))

  const window = new BrowserWindow(
    createMainWindowOptions({
      preloadPath: join(here, '../preload/index.cjs'),
      iconPath: join(here, '../../resources/icon.png'),
    }),
  )
  window.once('ready-to-show', () => window.show())
  await window.loadURL(devServerUrl ?? appEntryUrl)
})
