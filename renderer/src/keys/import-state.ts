import type { KeyFileRequest, KeySummary, Response, Result, WireError } from '../../../preload/contract'

/**
 * What the import wizard knows, as one value changed only by `importReducer`: the step, the chosen
 * files or pasted text, what main found in each, and the result. The component only calls main and
 * dispatches what came back, so every rule of the wizard is testable without a browser.
 */

export type Step = 'source' | 'passphrase' | 'preview' | 'result'
export type Tab = 'file' | 'text'

export interface Source {
  fileName: string
  /** The file's bytes, base64 (as the IPC contract wants them). */
  data: string
  pasted?: boolean
}

export type Preview = Response<'keys:inspect'>[number]

/** One chosen file and what the wizard learned about it; a problem with one file never stops the others. */
export interface Entry extends Source {
  id: number
  passphrase: string
  state: 'new' | 'needsPassphrase' | 'ready' | 'failed' | 'skipped'
  keys: Preview[]
  error: WireError | null
  /** The user wants this file imported (ticked in the preview). */
  include: boolean
}

export interface ImportState {
  step: Step
  tab: Tab
  /** Files chosen or dropped (the file tab). */
  files: Entry[]
  /** The pasted text (the text tab). */
  text: string
  /** The pasted text once main has looked at it. */
  pasted: Entry[]
  /** The keys the import stored, and from how many files. */
  imported: KeySummary[]
  importedFiles: number
  /** The imported key whose fingerprint the user is comparing now. */
  verifying: KeySummary | null
  /** An error that belongs to no single file (nothing readable, or main did not answer). */
  error: WireError | null
  busy: boolean
  dragging: boolean
  /** A password was asked for: the password step then counts as done, not as skipped. */
  askedPassphrase: boolean
  nextId: number
}

export type ImportAction =
  | { type: 'tab'; tab: Tab }
  | { type: 'text'; text: string }
  | { type: 'dragging'; dragging: boolean }
  | { type: 'filesAdded'; sources: Source[] }
  | { type: 'fileRemoved'; id: number }
  | { type: 'entryChanged'; id: number; change: Partial<Pick<Entry, 'passphrase' | 'include'>> }
  | { type: 'fileSkipped'; id: number }
  | { type: 'started' }
  | { type: 'inspected'; checked: Entry[] }
  | { type: 'importFinished'; entries: Entry[]; imported: KeySummary[] }
  | { type: 'back' }
  | { type: 'verify'; key: KeySummary | null }
  | { type: 'verified'; key: KeySummary }

/** Codes that mean "ask for the file's password" rather than "show an error". */
const needsPassphrase = new Set(['KEY_PASSPHRASE_REQUIRED'])
const wrongPassphrase = 'KEY_PASSPHRASE_WRONG'

const fresh = (source: Source, id: number): Entry => ({
  ...source,
  id,
  passphrase: '',
  state: 'new',
  keys: [],
  error: null,
  include: true,
})
const again = (entry: Entry): Entry => ({ ...entry, state: 'new', error: null, passphrase: '' })

export function initialImportState(initialFiles: Source[] = []): ImportState {
  return {
    step: 'source',
    tab: 'file',
    files: initialFiles.map((source, index) => fresh(source, index + 1)),
    text: '',
    pasted: [],
    imported: [],
    importedFiles: 0,
    verifying: null,
    error: null,
    busy: false,
    dragging: false,
    askedPassphrase: false,
    nextId: initialFiles.length + 1,
  }
}

export function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/** Reads dropped or chosen files into wizard sources. */
export async function readFiles(files: Iterable<File>): Promise<Source[]> {
  const read = async (file: File) => ({ fileName: file.name, data: toBase64(new Uint8Array(await file.arrayBuffer())) })
  return Promise.all([...files].map(read))
}

/** The entries of the active tab as main last saw them. */
export const current = (state: ImportState): Entry[] => (state.tab === 'file' ? state.files : state.pasted)

/** What "Continue" on the source step sends to main: the files, or the text as it is now. */
export function chosen(state: ImportState): Entry[] {
  if (state.tab === 'file') return state.files
  if (!state.text.trim()) return []
  return [fresh({ fileName: 'pasted.txt', data: toBase64(new TextEncoder().encode(state.text)), pasted: true }, 0)]
}

export const isSettled = (entry: Entry) =>
  entry.state === 'ready' || entry.state === 'skipped' || entry.state === 'failed'
export const toImport = (state: ImportState) =>
  current(state).filter((entry) => entry.state === 'ready' && entry.include)

export function request(entry: Entry): KeyFileRequest {
  return {
    fileName: entry.fileName,
    data: entry.data,
    ...(entry.pasted ? { pasted: true } : {}),
    ...(entry.passphrase ? { passphrase: entry.passphrase } : {}),
  }
}

/** An entry after main looked at it: ready with its keys, waiting for a (right) password, or failed. */
export function afterInspect(entry: Entry, result: Result<Preview[]>): Entry {
  if (result.ok) return { ...entry, state: 'ready', keys: result.value, error: null }
  if (needsPassphrase.has(result.error.code)) return { ...entry, state: 'needsPassphrase', error: null }
  if (result.error.code === wrongPassphrase) return { ...entry, state: 'needsPassphrase', error: result.error }
  return { ...entry, state: 'failed', error: result.error }
}

/** An entry after the import: the password is forgotten either way. */
export function afterImport(entry: Entry, result: Result<KeySummary[]>): Entry {
  return result.ok ? { ...entry, passphrase: '' } : { ...entry, passphrase: '', state: 'failed', error: result.error }
}

const withCurrent = (state: ImportState, entries: Entry[]): ImportState =>
  state.tab === 'file' ? { ...state, files: entries } : { ...state, pasted: entries }

const changeEntry = (state: ImportState, id: number, change: Partial<Entry>) =>
  withCurrent(
    state,
    current(state).map((entry) => (entry.id === id ? { ...entry, ...change } : entry)),
  )

export function importReducer(state: ImportState, action: ImportAction): ImportState {
  switch (action.type) {
    case 'tab':
      return { ...state, tab: action.tab }
    case 'text':
      return { ...state, text: action.text }
    case 'dragging':
      return { ...state, dragging: action.dragging }
    case 'filesAdded': {
      // A file chosen again replaces the earlier one of the same name.
      const kept = state.files.filter((entry) => !action.sources.some((source) => source.fileName === entry.fileName))
      const added = action.sources.map((source, index) => fresh(source, state.nextId + index))
      return { ...state, error: null, files: [...kept, ...added], nextId: state.nextId + added.length }
    }
    case 'fileRemoved':
      return { ...state, files: state.files.filter((entry) => entry.id !== action.id) }
    case 'entryChanged':
      return changeEntry(state, action.id, action.change)
    case 'fileSkipped':
      return changeEntry(state, action.id, { state: 'skipped', passphrase: '' })
    case 'started':
      return { ...state, busy: true, error: null }
    case 'inspected': {
      const checked = action.checked
      const next = { ...withCurrent(state, checked), busy: false }
      if (checked.some((entry) => entry.state === 'needsPassphrase')) {
        return { ...next, step: 'passphrase', askedPassphrase: true }
      }
      if (checked.some((entry) => entry.state === 'ready')) return { ...next, step: 'preview' }
      if (state.tab === 'text' || checked.length === 1) {
        // Nothing readable: the one error stays on the source step, where the user can pick another file.
        const error = checked.find((entry) => entry.error)?.error ?? null
        return { ...(state.tab === 'file' ? { ...next, files: checked.map(again) } : next), step: 'source', error }
      }
      // Several files and none readable: the preview says for each file what is wrong with it.
      return { ...next, step: 'preview' }
    }
    case 'importFinished': {
      const importedFiles = action.entries.filter((entry) => entry.state === 'ready' && entry.include).length
      const next = withCurrent(state, action.entries)
      return { ...next, busy: false, step: 'result', imported: action.imported, importedFiles }
    }
    case 'back':
      return { ...state, step: 'source', error: null, files: state.files.map(again) }
    case 'verify':
      return { ...state, verifying: action.key }
    case 'verified':
      return {
        ...state,
        verifying: null,
        imported: state.imported.map((key) => (key.fingerprint === action.key.fingerprint ? action.key : key)),
      }
  }
}
