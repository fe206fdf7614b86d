import { useCallback, useEffect, useState } from 'react'
import type { Result, WireError } from '../../preload/contract'

export type CallState<T> = { state: 'loading' } | { state: 'done'; value: T } | { state: 'failed'; error: WireError }

/** Runs one preload call when the component shows, and again on `reload()`. */
export function useCall<T>(call: () => Promise<Result<T>>): [CallState<T>, () => void] {
  const [state, setState] = useState<CallState<T>>({ state: 'loading' })
  const [round, setRound] = useState(0)
  useEffect(() => {
    let live = true
    setState({ state: 'loading' })
    call().then(
      (result) => live && setState(result.ok ? { state: 'done', value: result.value } : { state: 'failed', error: result.error }),
      () => live && setState({ state: 'failed', error: { code: 'IPC_FAILED', kind: 'bug', message: { de: 'Keine Verbindung zum Hauptprozess.', en: 'No connection to the main process.' } } }),
    )
    return () => {
      live = false
    }
    // The call identity changes every render on purpose; `round` is what asks for a reload.
  }, [round])
  return [state, useCallback(() => setRound((n) => n + 1), [])]
}
