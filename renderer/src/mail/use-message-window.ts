import { useCallback, useRef, useState } from 'react'
import type { WireError } from '../../../preload/contract'
import type { ListSortView, MessageRowView } from '../../../preload/mailbox-contract'
import { settle } from '../use-call'
import type { FolderRef } from './folder-pane'

/** Rows per `mailbox:list` answer: one page is a few screens of the list. */
export const pageRows = 100
/** Rows fetched beyond the visible ones on each side, so scrolling rarely meets a row still on its way. */
const prefetchRows = 60
/** Pages kept in memory around the view; farther ones are dropped and asked again when scrolled back to. */
const keptPages = 12

export interface WindowQuery {
  ref: FolderRef | null
  search: string
  sort: ListSortView
}

interface WindowState {
  /** The query these pages answer (folder, search, order). */
  key: string
  total: number
  all: number
  pages: ReadonlyMap<number, readonly MessageRowView[]>
  /** The selected position in the ordered list; -1 for none. */
  selected: number
}

const keyOf = (q: WindowQuery) => JSON.stringify([q.ref?.account ?? null, q.ref?.folder ?? null, q.search, q.sort])
const empty: WindowState = { key: '', total: 0, all: 0, pages: new Map(), selected: -1 }

/** The pages (of `pageRows`) holding rows `first`..`last` and `prefetchRows` beyond on each side, within `total`. */
export function pagesAround(first: number, last: number, total: number): number[] {
  const from = Math.max(0, first - prefetchRows)
  const to = Math.min(total, last + prefetchRows)
  const out: number[] = []
  for (let page = Math.floor(from / pageRows); page * pageRows < Math.max(to, 1); page++) out.push(page)
  return out
}

/**
 * The message list as a window on main's store: the rows of the pages around the view, the number of rows
 * (for the scroll height) and the selection as a position. `ensure` is called with the rows about to be
 * shown; `reload` asks again for what is in view and keeps the selection on the same message (by id) when it
 * is still there (also in a new search or order), else on the row that took its place.
 */
export function useMessageWindow(onError: (error: WireError | null) => void) {
  const [state, setState] = useState<WindowState>(empty)
  const stateRef = useRef(state)
  stateRef.current = state
  const queryRef = useRef<WindowQuery>({ ref: null, search: '', sort: 'newest' })
  const range = useRef({ first: 0, last: 30 })
  /** Bumped by every reload: answers to an older round are dropped. */
  const round = useRef(0)
  const asked = useRef(new Set<string>())

  const ask = (query: WindowQuery, page: number, find?: string) =>
    settle(
      window.siegelpost.mailboxList({
        ...query.ref!,
        ...(query.search ? { search: query.search } : {}),
        sort: query.sort,
        offset: page * pageRows,
        limit: pageRows,
        ...(find ? { find } : {}),
      }),
    )

  const rowAt = useCallback(
    (index: number) => state.pages.get(Math.floor(index / pageRows))?.[index % pageRows],
    [state.pages],
  )

  /**
   * Asks again for the rows in view. A new folder starts over at the top without a selection; a new search or
   * order starts at the top too, but keeps the selected message selected (and in view) when it is in the new
   * result. The same query keeps the selection on the same message, else on the row that took its place.
   */
  const reload = useCallback(
    async (query: WindowQuery = queryRef.current) => {
      const key = keyOf(query)
      const isFresh = key !== stateRef.current.key
      const isSameFolder =
        query.ref !== null &&
        query.ref.account === queryRef.current.ref?.account &&
        query.ref.folder === queryRef.current.ref?.folder
      queryRef.current = query
      const mine = ++round.current
      asked.current.clear()
      if (!query.ref) return setState(empty)
      if (isFresh) range.current = { first: 0, last: 30 }
      const before = stateRef.current
      const selectedId =
        isFresh && !isSameFolder
          ? undefined
          : before.pages.get(Math.floor(before.selected / pageRows))?.[before.selected % pageRows]?.id
      const wanted = pagesAround(range.current.first, range.current.last, isFresh ? 1 : Math.max(before.total, 1))
      const answers = await Promise.all(wanted.map((page, i) => ask(query, page, i === 0 ? selectedId : undefined)))
      if (round.current !== mine) return
      const failed = answers.find((answer) => !answer.ok)
      if (failed && !failed.ok) return onError(failed.error)
      const pages = new Map<number, readonly MessageRowView[]>()
      let total = 0
      let all = 0
      let foundAt: number | null = null
      answers.forEach((answer, i) => {
        if (!answer.ok) return
        if (answer.value.rows.length > 0) pages.set(wanted[i]!, answer.value.rows)
        total = answer.value.total
        all = answer.value.all
        if (i === 0) foundAt = answer.value.foundAt
      })
      // The kept selection of a new search or order may be far down: its page comes before the list shows it.
      const kept: number | null = foundAt
      if (isFresh && kept !== null) {
        const missing = pagesAround(kept, kept + 1, total).filter((page) => !pages.has(page))
        const more = await Promise.all(missing.map((page) => ask(query, page)))
        if (round.current !== mine) return
        for (const [i, answer] of more.entries()) {
          if (!answer.ok) return onError(answer.error)
          if (answer.value.total !== total) return void reload(query)
          if (answer.value.rows.length > 0) pages.set(missing[i]!, answer.value.rows)
        }
        range.current = { first: kept, last: kept + 30 }
      }
      onError(null)
      const selected =
        before.selected < 0 || (isFresh && kept === null)
          ? -1
          : isFresh
            ? (kept ?? -1)
            : (foundAt ?? Math.min(before.selected, total - 1))
      setState({ key, total, all, pages, selected })
    },
    [onError],
  )

  /** The list shows rows `first`..`last`: fetches the pages around them that are not here or on their way. */
  const ensure = useCallback(
    (first: number, last: number) => {
      range.current = { first, last }
      const current = stateRef.current
      const query = queryRef.current
      if (!query.ref || current.key !== keyOf(query)) return
      const mine = round.current
      for (const page of pagesAround(first, last, current.total)) {
        const name = `${mine}:${page}`
        if (current.pages.has(page) || asked.current.has(name)) continue
        asked.current.add(name)
        void ask(query, page).then((answer) => {
          asked.current.delete(name)
          if (round.current !== mine) return
          if (!answer.ok) return onError(answer.error)
          // The folder changed in main since the pages here were asked for (a sync, another window): rows
          // may have moved, so everything in view is asked again rather than mixed with older pages.
          const now = stateRef.current
          if (answer.value.total !== now.total || answer.value.all !== now.all) return void reload()
          const near = Math.floor(first / pageRows)
          setState((s) => {
            const pages = new Map(s.pages)
            pages.set(page, answer.value.rows)
            for (const kept of pages.keys()) if (Math.abs(kept - near) > keptPages) pages.delete(kept)
            return { ...s, total: answer.value.total, all: answer.value.all, pages }
          })
        })
      }
    },
    [onError, reload],
  )

  const select = useCallback((index: number) => {
    setState((s) => (s.selected === index ? s : { ...s, selected: Math.min(index, s.total - 1) }))
  }, [])

  /** A row changed in main (read mark, flag): it changes here too, wherever it is loaded. */
  const patchRow = useCallback((row: MessageRowView) => {
    setState((s) => {
      let isChanged = false
      const pages = new Map(s.pages)
      for (const [page, rows] of s.pages) {
        const at = rows.findIndex((r) => r.id === row.id)
        if (at < 0) continue
        pages.set(
          page,
          rows.map((r, i) => (i === at ? row : r)),
        )
        isChanged = true
      }
      return isChanged ? { ...s, pages } : s
    })
  }, [])

  /** The loaded row of message `id` (after a reload: its fresh state), if it is in a page here. */
  const rowById = useCallback(
    (id: string) => {
      for (const rows of state.pages.values()) {
        const row = rows.find((r) => r.id === id)
        if (row) return row
      }
      return undefined
    },
    [state.pages],
  )

  const selectedRow = rowAt(state.selected)
  return {
    total: state.total,
    all: state.all,
    selectedIndex: state.selected,
    selectedId: selectedRow?.id ?? null,
    selectedRow: selectedRow ?? null,
    rowAt,
    rowById,
    ensure,
    reload,
    select,
    patchRow,
    /** The folder, search and order the rows answer (the list scrolls to the top when it changes). */
    key: state.key,
  }
}
