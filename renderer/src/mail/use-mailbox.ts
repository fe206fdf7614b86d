import { useCallback, useEffect, useRef, useState } from 'react'
import type { WireError } from '../../../preload/contract'
import type { ListSortView, MessageRowView, SyncStatusView } from '../../../preload/mailbox-contract'
import { settle } from '../use-call'
import type { AccountFolders, FolderRef } from './folder-pane'
import { useMessageWindow } from './use-message-window'

/** How often the window asks for the sync's progress while one runs. */
const syncPollMs = 300
/** Typing in the search field waits this long before the list is asked again. */
const searchDelayMs = 150

/**
 * The Posteingang's state: accounts and folders, a window on the chosen folder's rows (narrowed by the
 * search, in the chosen order), the selection, and the sync with its progress. Everything comes from main's
 * store; the window holds only the pages of rows around the view. `reload` is the one way to ask again.
 */
export function useMailbox() {
  const [accounts, setAccounts] = useState<AccountFolders[] | null>(null)
  const [current, setCurrent] = useState<FolderRef | null>(null)
  const [search, setSearch] = useState('')
  /** The search the list answers: the field's text after a short pause. */
  const [query, setQuery] = useState('')
  const [sort, setSort] = useState<ListSortView>('newest')
  const [sync, setSync] = useState<SyncStatusView | null>(null)
  const [error, setError] = useState<WireError | null>(null)
  const list = useMessageWindow(setError)
  const currentRef = useRef(current)
  currentRef.current = current

  const loadFolders = useCallback(async () => {
    const result = await settle(window.siegelpost.mailboxFolders())
    if (!result.ok) return setError(result.error)
    setAccounts(result.value.accounts)
    if (!currentRef.current && result.value.accounts[0])
      setCurrent({ account: result.value.accounts[0].name, folder: 'INBOX' })
  }, [])

  const { reload: reloadRows } = list
  /** Folders and counts, and the rows in view, asked again (after a sync, a delete, new mail). */
  const reload = useCallback(async () => {
    await Promise.all([loadFolders(), reloadRows()])
  }, [loadFolders, reloadRows])

  useEffect(() => void loadFolders(), [loadFolders])
  useEffect(() => void reloadRows({ ref: current, search: query, sort }), [current, query, sort, reloadRows])
  // A changed search asks again after a short pause; a new folder starts without one.
  useEffect(() => {
    const text = search.trim()
    if (text === query) return
    const timer = setTimeout(() => setQuery(text), text ? searchDelayMs : 0)
    return () => clearTimeout(timer)
  }, [search, query])
  const chooseFolder = useCallback((ref: FolderRef) => {
    setSearch('')
    setQuery('')
    setCurrent(ref)
  }, [])

  /** A row changed in main (read mark, flag): the row changes here, the counts come again (not all rows). */
  const changed = useCallback(
    (row: MessageRowView) => {
      list.patchRow(row)
      void loadFolders()
    },
    [list.patchRow, loadFolders],
  )

  const followSync = useCallback(
    async (status: SyncStatusView) => {
      setSync(status)
      let last = status
      while (last.isRunning) {
        await new Promise((resolve) => setTimeout(resolve, syncPollMs))
        const next = await settle(window.siegelpost.mailboxSyncStatus())
        if (!next.ok) return setError(next.error)
        last = next.value
        setSync(last)
      }
      await reload()
    },
    [reload],
  )

  const startSync = useCallback(async () => {
    const started = await settle(window.siegelpost.mailboxSync({}))
    if (!started.ok) return setError(started.error)
    await followSync(started.value)
  }, [followSync])

  // A sync that runs already (started before this page showed) is followed; else the first showing starts one.
  const hasStarted = useRef(false)
  useEffect(() => {
    if (hasStarted.current || accounts === null) return
    hasStarted.current = true
    void settle(window.siegelpost.mailboxSyncStatus()).then((status) => {
      if (status.ok && status.value.isRunning) void followSync(status.value)
      else if (accounts.length > 0 && status.ok && status.value.finished === null) void startSync()
      else if (status.ok) setSync(status.value)
    })
  }, [accounts, followSync, startSync])

  return {
    accounts,
    current,
    chooseFolder,
    list,
    search,
    query,
    setSearch,
    sort,
    setSort,
    sync,
    startSync,
    error,
    setError,
    reload,
    changed,
  }
}
