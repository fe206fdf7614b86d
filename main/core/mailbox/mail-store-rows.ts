import { randomBytes, type KeyObject } from 'node:crypto'
import { limits } from '../limits.ts'
import { openBlob, sealBlob } from '../store/sealed-blob.ts'
import { readSealedFile } from '../store/sealed-file.ts'
import { sealContext as ctx, type EnvelopeRow } from './mail-store-schema.ts'

/**
 * Where a message's raw bytes live (the `rawfile` column) and how its envelope row is sealed:
 *
 * - `column` (0): the raw bytes sealed on their own in the `raw` column, the envelope row sealed in `envelope`;
 * - `file` (1): a chunked sealed file in `messages/` (over `limits.mailStoreInlineMaxBytes`);
 * - `row` (2, schema step 6): a message of at most `limits.mailStoreRowRawMaxBytes` sealed together with its
 *   envelope row as one AES-256-GCM value in `envelope` (`raw` stays empty): one seal per stored message instead of
 *   two. Its plaintext is `u32 length of the row's JSON | the row's JSON | the raw bytes`, bound to its own label.
 */
export const rawPlaces = { column: 0, file: 1, row: 2 } as const
export type RawPlace = (typeof rawPlaces)[keyof typeof rawPlaces]

const rowContext = (id: string) => ctx(id, 'envelope+raw')

/** Where a new message of `size` bytes is kept. */
export function rawPlaceFor(size: number): RawPlace {
  if (size > limits.mailStoreInlineMaxBytes) return rawPlaces.file
  return size <= limits.mailStoreRowRawMaxBytes ? rawPlaces.row : rawPlaces.column
}

/** The `envelope` column's value: the row alone, or (place `row`) the row with the raw bytes. */
export function sealRow(
  secret: KeyObject,
  row: EnvelopeRow,
  raw: Uint8Array | null,
  random: (n: number) => Buffer,
  /** JSON.stringify(row), when the caller has it. */
  text: string = JSON.stringify(row),
): Buffer {
  const json = Buffer.from(text, 'utf8')
  if (raw === null) return sealBlob(secret, json, ctx(row.id, 'envelope'), random)
  const plain = Buffer.allocUnsafe(4 + json.length + raw.byteLength)
  plain.writeUInt32BE(json.length, 0)
  json.copy(plain, 4)
  plain.set(raw, 4 + json.length)
  const sealed = sealBlob(secret, plain, rowContext(row.id), random)
  plain.fill(0)
  json.fill(0)
  return sealed
}

/** The row and (place `row`) the raw bytes of an `envelope` value; null when it does not open or is damaged. */
export function openRow(
  secret: KeyObject,
  id: string,
  blob: Uint8Array,
  place: number,
  wantRaw: boolean,
): { row: EnvelopeRow; raw: Buffer | null } | null {
  const isRow = place === rawPlaces.row
  const plain = openBlob(secret, blob, isRow ? rowContext(id) : ctx(id, 'envelope'))
  if (!plain) return null
  try {
    const length = isRow ? (plain.length >= 4 ? plain.readUInt32BE(0) : -1) : plain.length
    if (length < 0 || length > plain.length - (isRow ? 4 : 0)) return null
    const start = isRow ? 4 : 0
    const row = JSON.parse(plain.toString('utf8', start, start + length)) as EnvelopeRow
    // The raw bytes get their own buffer; the listing's plaintext is wiped below.
    const raw = isRow && wantRaw ? Buffer.from(plain.subarray(start + length)) : null
    return { row, raw }
  } catch {
    return null
  } finally {
    plain.fill(0)
  }
}

/** A message's columns that say where its raw bytes are. */
export interface RawColumns {
  raw: Uint8Array
  rawfile: number
  envelope: Uint8Array | null
}

/** A message's raw bytes from where they live (`file`: the sealed file at `filePath`); null when they do not open. */
export function openRaw(
  secret: KeyObject,
  key: Buffer,
  filePath: string,
  id: string,
  stored: RawColumns,
): Buffer | null {
  if (stored.rawfile === rawPlaces.row)
    return stored.envelope ? (openRow(secret, id, stored.envelope, stored.rawfile, true)?.raw ?? null) : null
  return stored.rawfile === rawPlaces.file
    ? readSealedFile(filePath, key, ctx(id, 'raw'))
    : openBlob(secret, stored.raw, ctx(id, 'raw'))
}

/** Random bytes from a pool: one system call per 4 KiB (341 nonces) instead of one per sealed value. */
export function randomPool(): (n: number) => Buffer {
  let pool = Buffer.alloc(0)
  return (n) => {
    if (pool.length < n) pool = randomBytes(Math.max(4096, n))
    const out = pool.subarray(0, n)
    pool = pool.subarray(n)
    return out
  }
}
