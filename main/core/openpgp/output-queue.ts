/**
 * The worker's output on its way to the writer: a queue of at most `highWater` chunks. The worker
 * gets its next input only when there is room (backpressure: a slow disk does not fill memory),
 * and when the writer stops reading (an error), the producer is told to stop.
 */
export function outputQueue(highWater = 8) {
  const queue: Uint8Array[] = []
  let finished: { failure?: unknown } | null = null
  let isAbandoned = false
  let wakeReader: (() => void) | null = null
  const wakeWriters: (() => void)[] = []
  const release = () => wakeWriters.splice(0).forEach((wake) => wake())
  return {
    push(chunk: Uint8Array) {
      queue.push(chunk)
      wakeReader?.()
    },
    end(failure?: unknown) {
      finished = failure === undefined ? {} : { failure }
      wakeReader?.()
    },
    abandon() {
      isAbandoned = true
      release()
    },
    get isAbandoned() {
      return isAbandoned
    },
    room: (): Promise<void> => (queue.length < highWater || isAbandoned ? Promise.resolve() : new Promise((resolve) => wakeWriters.push(resolve))),
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (queue.length > 0) {
          const chunk = queue.shift()!
          if (queue.length < highWater) release()
          yield chunk
        } else if (finished) {
          if (finished.failure !== undefined) throw finished.failure
          return
        } else await new Promise<void>((resolve) => (wakeReader = resolve))
      }
    },
  }
}
