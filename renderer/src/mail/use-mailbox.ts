import { useCallback, useEffect, useRef, useState } from 'react'
import type { WireError } from '../../../preload/contract'
import type { MessageRowView, SyncStatusView } from '../../../preload/mailbox-contract'
import { settle } from '../use-call'
import type { AccountFolders, FolderRef } from './folder-pane'

/** How often the window asks for the sync's progress while one runs. */
const syncPollMs = 300
/** Typing in the search field waits this long before the list is asked again. */
const searchDelayMs = 150

/**
 * The Posteingang's state: accounts and folders, the chosen folder's rows (narrowed by the search), the
 * selection, and the sync with its progress. Everything comes from main's store; nothing is kept here
 * that main does not have.
 */
export function useMailbox() {
  const [accounts, setAccounts] = useState<AccountFolders[] | null>(null)
  const [current, setCurrent] = useState<FolderRef | null>(null)
  const [rows, setRows] = useState<MessageRowView[]>([])
  const [total, setTotal] = useState(0)
  const [search, setSearch] = useState('')
  const [selectedId, setSelectedId] = useState<string | null>(null)
  const [sync, setSync] = useState<SyncStatusView | null>(null)
  const [error, setError] = useState<WireError | null>(null)
  const currentRef = useRef(current)
  currentRef.current = current
  const searchRef = useRef(search)
  searchRef.current = search

  const loadFolders = useCallback(async () => {
    const result = await settle(window.siegelpost.mailboxFolders())
    if (!result.ok) return setError(result.error)
    setAccounts(result.value.accounts)
    if (!currentRef.current && result.value.accounts[0])
      setCurrent({ account: result.value.accounts[0].name, folder: 'INBOX' })
  }, [])

  const loadRows = useCallback(async () => {
    const ref = currentRef.current
    if (!ref) return
    const text = searchRef.current.trim()
    const [listed, all] = await Promise.all([
      settle(window.siegelpost.mailboxList({ ...ref, ...(text ? { search: text } : {}) })),
      text ? settle(window.siegelpost.mailboxList(ref)) : null,
    ])
    // A folder change or a newer search meanwhile: this answer is out of date.
    if (currentRef.current !== ref || searchRef.current.trim() !== text) return
    if (!listed.ok) return setError(listed.error)
    setError(null)
    setRows(listed.value.rows)
    setTotal(all?.ok ? all.value.rows.length : listed.value.rows.length)
  }, [])

  const reload = useCallback(async () => {
    await Promise.all([loadFolders(), loadRows()])
  }, [loadFolders, loadRows])

  useEffect(() => void loadFolders(), [loadFolders])
  useEffect(() => {
    setSelectedId(null)
    void loadRows()
  }, [current, loadRows])
  // A changed search asks again after a short pause (the folder's first load is the effect above).
  const searched = useRef(search)
  useEffect(() => {
    if (searched.current === search) return
    searched.current = search
    const timer = setTimeout(() => void loadRows(), searchDelayMs)
    return () => clearTimeout(timer)
  }, [search, loadRows])

  /** A message was marked read in main: the row changes here, the counts come again (not all rows). */
  const markedRead = useCallback(
    (id: string) => {
      setRows((previous) => previous.map((row) => (row.id === id ? { ...row, isUnread: false } : row)))
      void loadFolders()
    },
    [loadFolders],
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
    setCurrent,
    rows,
    total,
    search,
    setSearch,
    selectedId,
    setSelectedId,
    sync,
    startSync,
    error,
    setError,
    reload,
    markedRead,
  }
}
