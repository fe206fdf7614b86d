import { contextBridge, ipcRenderer } from 'electron'
import { channels } from './contract.ts'
import { buildSurface } from './surface.ts'

// Sandboxed preload: exposes named functions only — never ipcRenderer or a generic invoke.
contextBridge.exposeInMainWorld(
  'siegelpost',
  buildSurface(channels, (channel, request) => ipcRenderer.invoke(channel, request)),
)
