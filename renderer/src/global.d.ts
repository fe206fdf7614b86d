import type { SiegelpostApi } from '../../preload/contract'

declare global {
  interface Window {
    /** The preload surface: one function per IPC channel (preload/contract.ts). */
    readonly siegelpost: SiegelpostApi
  }
}
