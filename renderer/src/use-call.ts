import { useCallback, useEffect, useState } from 'react'
import type { Result, WireError } from '../../preload/contract'

const ipcFailed: WireError = {
  code: 'IPC_FAILED',
  kind: 'bug',
  message: { de: 'Keine Verbindung zum Hauptprozess.', en: 'No connection to the main process.' },
}

/** A call's result, with a call that did not reach main (or threw there) as the IPC_FAILED error. */
export const settle = <T>(call: Promise<Result<T>>): Promise<Result<T>> =>
  call.catch((): Result<T> => ({ ok: false, error: ipcFailed }))

export type CallState<T> = { state: 'loading' } | { state: 'done'; value: T } | { state: 'failed'; error: WireError }

/** Runs one preload call when the component shows, and again on `reload()`. */
export function useCall<T>(call: () => Promise<Result<T>>): [CallState<T>, () => void] {
  const [state, setState] = useState<CallState<T>>({ state: 'loading' })
  const [round, setRound] = useState(0)
  useEffect(() => {
    let live = true
    setState({ state: 'loading' })
    call().then(
      (result) =>
        live && setState(result.ok ? { state: 'done', value: result.value } : { state: 'failed', error: result.error }),
      () => live && setState({ state: 'failed', error: ipcFailed }),
    )
    return () => {
      live = false
    }
    // The call identity changes every render on purpose; `round` is what asks for a reload.
  }, [round])
  return [state, useCallback(() => setRound((n) => n + 1), [])]
}

/** One user action that calls main: busy while it runs, its error kept until the next try. */
export function useAction() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<WireError | null>(null)
  const run = useCallback(async <T>(call: () => Promise<Result<T>>): Promise<{ value: T } | null> => {
    setBusy(true)
    setError(null)
    const result = await settle(call())
    setBusy(false)
    if (result.ok) return { value: result.value }
    setError(result.error)
    return null
  }, [])
  return { busy, error, run }
}
