import { contextBridge, ipcRenderer, webUtils } from 'electron'
import { channels } from './channels.ts'
import { isShellSection, showSectionChannel } from './shell-events.ts'
import { buildSurface } from './surface.ts'

// Sandboxed preload: exposes named functions only — never ipcRenderer or a generic invoke. It imports
// the channel names alone (channels.ts), so the bundle carries no schema library.
contextBridge.exposeInMainWorld(
  'siegelpost',
  buildSurface(channels, (channel, request) => ipcRenderer.invoke(channel, request)),
)

// The path of a file the user dropped on the composer (the renderer cannot see paths): main copies it
// into the sealed draft, so the file's bytes never cross IPC.
contextBridge.exposeInMainWorld(
  'siegelpostFiles',
  Object.freeze({ pathFor: (file: File) => webUtils.getPathForFile(file) }),
)

// What main asks the window to show without being asked (a click on the new-mail notification: the
// Posteingang). Only the known section names pass; the listener is removed with the returned function.
contextBridge.exposeInMainWorld(
  'siegelpostShell',
  Object.freeze({
    onShowSection: (run: (section: string) => void) => {
      const listener = (_event: unknown, section: unknown) => {
        if (isShellSection(section)) run(section)
      }
      ipcRenderer.on(showSectionChannel, listener)
      return () => void ipcRenderer.removeListener(showSectionChannel, listener)
    },
  }),
)
