import type { IpcMain, IpcMainInvokeEvent } from 'electron'
import { channels } from '../../preload/channels.ts'
import type { Dispatch, Sender } from './dispatch.ts'

function senderOf(event: IpcMainInvokeEvent): Sender {
  const frame = event.senderFrame
  return { url: frame?.url ?? '', isMainFrame: frame !== null && frame === event.sender.mainFrame }
}

/** Registers every contract channel; the dispatcher checks sender and payload and never throws. */
export function mountIpc(ipcMain: IpcMain, dispatch: Dispatch): void {
  for (const channel of channels) {
    ipcMain.handle(channel, (event, payload: unknown) => dispatch(channel, senderOf(event), payload))
  }
}
