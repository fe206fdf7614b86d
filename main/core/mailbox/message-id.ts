/**
 * Ids of stored messages: UUID version 7 (RFC 9562 §5.7) — 48 bits of Unix milliseconds, a 12-bit counter within
 * the millisecond (§6.2 method 1) and 62 random bits. Ids made one after another sort in the order they were made,
 * so a sync's thousands of new rows extend the primary-key index at its end instead of touching random pages of it
 * (less to write per commit). The time in an id is the fetch time, which the store keeps in the clear anyway.
 */
export function messageIdMaker(random: (n: number) => Buffer, now: () => number = Date.now): () => string {
  let lastMs = -1
  let counter = 0
  return () => {
    let ms = now()
    if (ms <= lastMs) {
      // The same millisecond (or a clock that went back): count on from the last id, carrying into its time.
      ms = lastMs
      counter++
      if (counter > 0xfff) {
        ms++
        counter = 0
      }
    } else {
      // A fresh millisecond starts the counter at a random point of its lower half (room to count on).
      counter = random(2).readUInt16BE(0) & 0x7ff
    }
    lastMs = ms
    const bytes = Buffer.allocUnsafe(16)
    bytes.writeUIntBE(ms, 0, 6)
    bytes[6] = 0x70 | (counter >> 8)
    bytes[7] = counter & 0xff
    random(8).copy(bytes, 8)
    bytes[8] = 0x80 | (bytes[8]! & 0x3f)
    const hex = bytes.toString('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }
}
