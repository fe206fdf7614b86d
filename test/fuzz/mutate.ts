/**
 * Input mutations of the coverage-guided loop: byte-level havoc as AFL/libFuzzer do it (bit flips,
 * interesting values, inserts, deletes, copies), splicing with another corpus entry, and the target's
 * dictionary tokens (MIME boundaries, armor lines, ASN.1 tags and lengths). Seeded, so a run can be repeated.
 */
export class Random {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9
  }

  /** xorshift32 */
  next(): number {
    let x = this.state
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    this.state = x >>> 0
    return this.state
  }

  below(n: number): number {
    return n <= 0 ? 0 : this.next() % n
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!
  }
}

const interesting8 = [
  0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x0d, 0x20, 0x2d, 0x3d, 0x3a, 0x3b, 0x22, 0x30, 0x31, 0x04, 0xa0, 0x81, 0x82,
  0x83, 0x84,
]
const interestingLengths = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x7fffffff, 0xffffffff]

function insert(bytes: Uint8Array, at: number, piece: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + piece.length)
  out.set(bytes.subarray(0, at))
  out.set(piece, at)
  out.set(bytes.subarray(at), at + piece.length)
  return out
}

function remove(bytes: Uint8Array, at: number, length: number): Uint8Array {
  const out = new Uint8Array(bytes.length - length)
  out.set(bytes.subarray(0, at))
  out.set(bytes.subarray(at + length), at)
  return out
}

/** One havoc step. */
function mutateOnce(
  bytes: Uint8Array,
  random: Random,
  dictionary: readonly Uint8Array[],
  other: Uint8Array,
): Uint8Array {
  const length = bytes.length
  const at = random.below(length + 1)
  switch (random.below(length === 0 ? 2 : 13)) {
    case 0: {
      // Insert a dictionary token (or a random byte run when there is no dictionary).
      const token =
        dictionary.length > 0
          ? random.pick(dictionary)
          : Uint8Array.from({ length: 1 + random.below(8) }, () => random.below(256))
      return insert(bytes, at, token)
    }
    case 1:
      return insert(
        bytes,
        at,
        Uint8Array.from({ length: 1 + random.below(4) }, () => random.pick(interesting8)),
      )
    case 2: {
      const out = bytes.slice()
      const i = random.below(length)
      out[i]! ^= 1 << random.below(8)
      return out
    }
    case 3: {
      const out = bytes.slice()
      out[random.below(length)] = random.below(256)
      return out
    }
    case 4: {
      const out = bytes.slice()
      out[random.below(length)] = random.pick(interesting8)
      return out
    }
    case 5: {
      const start = random.below(length)
      return remove(bytes, start, 1 + random.below(Math.min(length - start, 64)))
    }
    case 6: {
      // Duplicate a range (repeated headers, parts, ASN.1 elements).
      const start = random.below(length)
      const piece = bytes.slice(start, start + 1 + random.below(Math.min(length - start, 256)))
      return insert(bytes, at, piece)
    }
    case 7: {
      // Overwrite with a dictionary token.
      if (dictionary.length === 0) return bytes
      const token = random.pick(dictionary)
      const out = bytes.slice()
      out.set(token.subarray(0, Math.max(0, length - Math.min(at, length))), Math.min(at, length))
      return out
    }
    case 8: {
      // A big-endian length or count, as ASN.1 and binary headers carry them.
      const value = random.pick(interestingLengths)
      const width = 1 + random.below(4)
      const piece = Uint8Array.from({ length: width }, (_, i) => (value >>> (8 * (width - 1 - i))) & 0xff)
      const out = bytes.slice()
      out.set(piece.subarray(0, Math.max(0, length - Math.min(at, length))), Math.min(at, length))
      return out
    }
    case 9: {
      // Splice: the head of this input, the tail of another.
      const cut = random.below(other.length + 1)
      return new Uint8Array([...bytes.subarray(0, at), ...other.subarray(cut)])
    }
    case 10: {
      // Insert a piece of another input.
      const start = random.below(other.length + 1)
      return insert(bytes, at, other.subarray(start, start + 1 + random.below(512)))
    }
    case 11: {
      // Truncate.
      return bytes.slice(0, random.below(length))
    }
    default: {
      // Arithmetic on one byte.
      const out = bytes.slice()
      const i = random.below(length)
      out[i] = (out[i]! + random.below(35) - 17) & 0xff
      return out
    }
  }
}

export function mutate(
  bytes: Uint8Array,
  random: Random,
  dictionary: readonly Uint8Array[],
  other: Uint8Array,
  maxLength: number,
): Uint8Array {
  let out = bytes
  const steps = 1 << random.below(4)
  for (let i = 0; i < steps; i++) out = mutateOnce(out, random, dictionary, other)
  return out.length > maxLength ? out.slice(0, maxLength) : out
}
