import { contextBridge, ipcRenderer } from 'electron'
import { channels } from './channels.ts'
import { buildSurface } from './surface.ts'

// Sandboxed preload: exposes named functions only — never ipcRenderer or a generic invoke. It imports
// the channel names alone (channels.ts), so the bundle carries no schema library.
contextBridge.exposeInMainWorld(
  'siegelpost',
  buildSurface(channels, (channel, request) => ipcRenderer.invoke(channel, request)),
)
