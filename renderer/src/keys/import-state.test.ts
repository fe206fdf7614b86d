import { describe, expect, it } from 'vitest'
import type { KeySummary, WireError } from '../../../preload/contract'
import {
  afterImport,
  afterInspect,
  chosen,
  current,
  type Entry,
  type ImportAction,
  importReducer,
  type ImportState,
  initialImportState,
  type Preview,
  request,
  toBase64,
  toImport,
} from './import-state'

const key: KeySummary = {
  id: 'ABCD',
  fingerprint: '0123456789ABCDEF0123456789ABCDEF01234567',
  technology: 'openpgp',
  name: 'Bernd Mandant',
  emails: ['bernd@mandant.test'],
  hasSecret: false,
  acceptance: 'unverified',
  created: '2026-01-01T00:00:00.000Z',
  expires: null,
  status: 'valid',
  usage: ['encrypt'],
}
const preview: Preview = { ...key, isNew: true, missingIssuer: null }
const error = (code: string): WireError => ({ code, kind: 'user', message: { de: code, en: code } })
const source = (fileName: string) => ({ fileName, data: btoa(fileName) })
const run = (state: ImportState, ...actions: ImportAction[]) => actions.reduce(importReducer, state)
/** What main answers for each file name, as the component would feed it back. */
const inspectAll = (entries: Entry[], answers: Record<string, Parameters<typeof afterInspect>[1]>) =>
  entries.map((entry) => afterInspect(entry, answers[entry.fileName]!))

describe('import wizard state', () => {
  it('starts on the source step with dropped files numbered', () => {
    const state = initialImportState([source('a.asc'), source('b.p12')])
    expect(state.step).toBe('source')
    expect(state.files.map((entry) => [entry.id, entry.fileName, entry.state, entry.include])).toEqual([
      [1, 'a.asc', 'new', true],
      [2, 'b.p12', 'new', true],
    ])
  })

  it('replaces a file chosen again under the same name, keeps the others, and clears an old error', () => {
    const state = run(
      { ...initialImportState([source('a.asc'), source('b.asc')]), error: error('KEY_NOT_FOUND') },
      { type: 'filesAdded', sources: [{ fileName: 'a.asc', data: 'bmV3' }] },
    )
    expect(state.files.map((entry) => [entry.id, entry.fileName, entry.data])).toEqual([
      [2, 'b.asc', btoa('b.asc')],
      [3, 'a.asc', 'bmV3'],
    ])
    expect(state.error).toBeNull()
    expect(run(state, { type: 'fileRemoved', id: 2 }).files.map((entry) => entry.fileName)).toEqual(['a.asc'])
  })

  it('asks for a password only when a file needs one, and counts that step as done', () => {
    const start = run(initialImportState([source('key.asc'), source('secret.p12')]), { type: 'started' })
    expect(start.busy).toBe(true)
    const checked = inspectAll(start.files, {
      'key.asc': { ok: true, value: [preview] },
      'secret.p12': { ok: false, error: error('KEY_PASSPHRASE_REQUIRED') },
    })
    const state = run(start, { type: 'inspected', checked })
    expect(state).toMatchObject({ step: 'passphrase', askedPassphrase: true, busy: false })
    expect(state.files.map((entry) => entry.state)).toEqual(['ready', 'needsPassphrase'])
    expect(state.files[1]!.error).toBeNull()
  })

  it('keeps a file with a wrong password waiting, with the error next to its field', () => {
    const [entry] = initialImportState([source('secret.p12')]).files
    const waiting = afterInspect(
      { ...entry!, passphrase: 'falsch' },
      { ok: false, error: error('KEY_PASSPHRASE_WRONG') },
    )
    expect(waiting).toMatchObject({ state: 'needsPassphrase', error: { code: 'KEY_PASSPHRASE_WRONG' } })
  })

  it('goes straight to the preview when nothing needs a password', () => {
    const start = initialImportState([source('key.asc')])
    const state = run(start, {
      type: 'inspected',
      checked: inspectAll(start.files, { 'key.asc': { ok: true, value: [preview] } }),
    })
    expect(state).toMatchObject({ step: 'preview', askedPassphrase: false })
    expect(toImport(state).map((entry) => entry.fileName)).toEqual(['key.asc'])
  })

  it('shows the error of a single unreadable file on the source step, with the file ready to try again', () => {
    const start = initialImportState([source('photo.jpg')])
    const checked = inspectAll(start.files, { 'photo.jpg': { ok: false, error: error('KEY_FORMAT_UNKNOWN') } })
    const state = run(start, { type: 'started' }, { type: 'inspected', checked })
    expect(state).toMatchObject({ step: 'source', error: { code: 'KEY_FORMAT_UNKNOWN' }, busy: false })
    expect(state.files.map((entry) => [entry.state, entry.error])).toEqual([['new', null]])
  })

  it('shows several unreadable files in the preview, each with its own error, and offers nothing to import', () => {
    const start = initialImportState([source('a.jpg'), source('b.txt')])
    const checked = inspectAll(start.files, {
      'a.jpg': { ok: false, error: error('KEY_FORMAT_UNKNOWN') },
      'b.txt': { ok: false, error: error('KEY_NOT_FOUND') },
    })
    const state = run(start, { type: 'inspected', checked })
    expect(state.step).toBe('preview')
    expect(state.error).toBeNull()
    expect(state.files.map((entry) => entry.error?.code)).toEqual(['KEY_FORMAT_UNKNOWN', 'KEY_NOT_FOUND'])
    expect(toImport(state)).toEqual([])
  })

  it('imports only the files still ticked, skips a file whose password the user does not have', () => {
    const start = initialImportState([source('a.asc'), source('b.asc'), source('c.p12')])
    const checked = inspectAll(start.files, {
      'a.asc': { ok: true, value: [preview] },
      'b.asc': { ok: true, value: [preview] },
      'c.p12': { ok: false, error: error('KEY_PASSPHRASE_REQUIRED') },
    })
    const state = run(
      start,
      { type: 'inspected', checked },
      { type: 'fileSkipped', id: 3 },
      { type: 'entryChanged', id: 2, change: { include: false } },
    )
    expect(state.files.map((entry) => entry.state)).toEqual(['ready', 'ready', 'skipped'])
    expect(toImport(state).map((entry) => entry.fileName)).toEqual(['a.asc'])
  })

  it('forgets every password after the import and counts the files that made it', () => {
    const start = initialImportState([source('a.p12'), source('b.p12')])
    const ready = start.files.map((entry) => ({
      ...afterInspect(entry, { ok: true, value: [preview] }),
      passphrase: 'geheim',
    }))
    const entries = [
      afterImport(ready[0]!, { ok: true, value: [key] }),
      afterImport(ready[1]!, { ok: false, error: error('VAULT_LOCKED') }),
    ]
    const state = run(
      { ...start, files: ready, step: 'preview' },
      { type: 'started' },
      { type: 'importFinished', entries, imported: [key] },
    )
    expect(state).toMatchObject({ step: 'result', busy: false, importedFiles: 1, imported: [key] })
    expect(state.files.map((entry) => [entry.state, entry.passphrase])).toEqual([
      ['ready', ''],
      ['failed', ''],
    ])
  })

  it('goes back to the source step with every file to be read again and no password kept', () => {
    const start = initialImportState([source('a.p12')])
    const waiting = { ...start, step: 'passphrase' as const, error: error('X') }
    waiting.files = [
      { ...start.files[0]!, state: 'needsPassphrase', passphrase: 'geheim', error: error('KEY_PASSPHRASE_WRONG') },
    ]
    const state = run(waiting, { type: 'back' })
    expect(state).toMatchObject({ step: 'source', error: null })
    expect(state.files.map((entry) => [entry.state, entry.passphrase, entry.error])).toEqual([['new', '', null]])
  })

  it('sends pasted text as one entry marked as pasted, and keeps what main found apart from the files', () => {
    const start = run(
      initialImportState([source('a.asc')]),
      { type: 'tab', tab: 'text' },
      { type: 'text', text: '   ' },
    )
    expect(chosen(start)).toEqual([])
    const typed = run(start, { type: 'text', text: '-----BEGIN PGP PUBLIC KEY BLOCK-----' })
    const [pasted] = chosen(typed)
    expect(request(pasted!)).toEqual({
      fileName: 'pasted.txt',
      data: btoa('-----BEGIN PGP PUBLIC KEY BLOCK-----'),
      pasted: true,
    })
    const state = run(typed, { type: 'inspected', checked: [afterInspect(pasted!, { ok: true, value: [preview] })] })
    expect(state.step).toBe('preview')
    expect(current(state).map((entry) => entry.fileName)).toEqual(['pasted.txt'])
    expect(state.files.map((entry) => [entry.fileName, entry.state])).toEqual([['a.asc', 'new']])
  })

  it('shows the error for pasted text that holds no key on the source step', () => {
    const typed = run(initialImportState(), { type: 'tab', tab: 'text' }, { type: 'text', text: 'Hallo' })
    const checked = chosen(typed).map((entry) => afterInspect(entry, { ok: false, error: error('KEY_NOT_FOUND') }))
    expect(run(typed, { type: 'inspected', checked })).toMatchObject({
      step: 'source',
      error: { code: 'KEY_NOT_FOUND' },
    })
  })

  it('sends a password only when one was typed', () => {
    const [entry] = initialImportState([source('a.p12')]).files
    expect(request(entry!)).toEqual({ fileName: 'a.p12', data: btoa('a.p12') })
    expect(request({ ...entry!, passphrase: 'geheim' })).toMatchObject({ passphrase: 'geheim' })
  })

  it('shows a key as verified once its fingerprint was compared', () => {
    const state = run({ ...initialImportState(), imported: [key] }, { type: 'verify', key })
    expect(state.verifying).toEqual(key)
    const verified = { ...key, acceptance: 'verified' as const }
    expect(run(state, { type: 'verified', key: verified })).toMatchObject({ verifying: null, imported: [verified] })
  })

  it('encodes files larger than one chunk as base64 that decodes to the same bytes', () => {
    const bytes = new Uint8Array(0x8000 * 2 + 123).map((_, i) => (i * 7) % 256)
    const encoded = toBase64(bytes)
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/)
    expect(Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0))).toEqual(bytes)
  })
})
