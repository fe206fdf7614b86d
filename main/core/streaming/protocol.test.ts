import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { generatePair } from '../../../test/helpers/openpgp-fixtures.ts'
import { SiegelpostError } from '../errors/index.ts'
import { decryptToSink, encryptToStream } from '../openpgp/decrypt-stream.ts'
import { openpgpThroughWorker } from '../openpgp/stream-worker.ts'
import { serveStream, type StreamJobRunner, type StreamPort, type WorkerRequest } from './protocol.ts'
import { runOnWorker } from './worker-run.ts'

/**
 * The one worker protocol, on an in-thread MessageChannel (the same code a worker thread runs):
 * output and result arrive, errors arrive as their codes, the worker waits for the reader, and
 * either side stopping ends the other.
 */
const chunkBytes = 64 * 1024
const chunks = (count: number) => Array.from({ length: count }, () => new Uint8Array(randomBytes(chunkBytes)))
// The protocol does not look into jobs; these tests send an opaque one.
const request = { technology: 'openpgp', job: {} } as WorkerRequest

/** Runs `runner` as the worker's job over `input`; returns the output chunks and the result. */
async function run<Result>(
  runner: StreamJobRunner<unknown, Result>,
  input: Iterable<Uint8Array>,
  classify?: () => SiegelpostError,
) {
  const serve = (port: StreamPort) => serveStream(port, 'openpgp', runner, classify)
  const output: Uint8Array[] = []
  const flow = runOnWorker<Result>(null, serve, request, input)
  let step = await flow.next()
  for (; !step.done; step = await flow.next()) output.push(step.value)
  return { output: Buffer.concat(output), result: step.value }
}

const echo: StreamJobRunner<unknown, number> = async (_job, input, output) => {
  let bytes = 0
  for await (const chunk of input) {
    bytes += chunk.length
    output(chunk)
  }
  return bytes
}

describe('the streaming protocol', () => {
  it('streams every input byte through the job and returns its result', async () => {
    const input = chunks(40)
    // (whole 64 KiB buffers are moved to the worker, not copied: keep what to compare with)
    const expected = Buffer.concat(input)
    const { output, result } = await run(echo, input)
    expect(output.equals(expected)).toBe(true)
    expect(result).toBe(40 * chunkBytes)
  })

  it('output the job owns is moved whole, in order with the batched rest; output it keeps is copied', async () => {
    const pieces = [randomBytes(10), randomBytes(300_000), randomBytes(5), randomBytes(70_000), randomBytes(100_000)]
    const owned = pieces.map((piece) => new Uint8Array(piece))
    const kept = new Uint8Array(randomBytes(200_000))
    const expected = Buffer.concat([...pieces, kept])
    const job: StreamJobRunner<unknown, number[]> = async (_job, input, output) => {
      for await (const chunk of input) void chunk
      owned.forEach((piece) => output(piece, true))
      output(kept)
      return [...owned.map((piece) => piece.byteLength), kept.byteLength]
    }
    const { output, result } = await run(job, chunks(1))
    expect(output.equals(expected)).toBe(true)
    // moved (detached here): the large whole buffers; copied: the small ones and the one the job keeps
    expect(result).toEqual([10, 0, 5, 0, 0, 200_000])
  })

  it('a failing job reaches the caller as its code and params, whatever its text', async () => {
    const failing: StreamJobRunner<unknown, never> = async (_job, input, output) => {
      for await (const chunk of input) output(chunk)
      throw new SiegelpostError('ENCRYPTION_UNREADABLE', { detail: 'Packet 7' })
    }
    const error = await run(failing, chunks(3)).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(SiegelpostError)
    expect(error).toMatchObject({ code: 'ENCRYPTION_UNREADABLE', params: { detail: 'Packet 7' } })
  })

  it("a library's uncoded error is classified in the worker, or crosses as INTERNAL with its first line", async () => {
    const library: StreamJobRunner<unknown, never> = async () => {
      throw new Error('Modification detected.\nstack details')
    }
    const classified = await run(library, [], () => new SiegelpostError('ENCRYPTION_ALTERED')).catch((e: unknown) => e)
    expect(classified).toMatchObject({ code: 'ENCRYPTION_ALTERED' })
    expect(await run(library, []).catch((e: unknown) => e)).toMatchObject({
      code: 'INTERNAL',
      params: { reason: 'Modification detected.' },
    })
  })

  it('hands out the next input only after the reader took the output (backpressure)', async () => {
    let handedOut = 0
    let taken = 0
    let maxAhead = 0
    const input = (function* () {
      for (const chunk of chunks(64)) {
        handedOut += chunk.length
        maxAhead = Math.max(maxAhead, handedOut - taken)
        yield chunk
      }
    })()
    const serve = (port: StreamPort) => serveStream(port, 'openpgp', echo)
    const flow = runOnWorker<number>(null, serve, request, input)
    for (let step = await flow.next(); !step.done; step = await flow.next()) {
      await new Promise((resolve) => setTimeout(resolve, 2))
      taken += step.value.length
    }
    expect(taken).toBe(64 * chunkBytes)
    // At most one output batch (1 MiB) plus two input messages (each at least 256 KiB of gathered
    // chunks: the one being worked on and the one asked for ahead) are ahead of the reader.
    expect(maxAhead).toBeLessThanOrEqual(1024 * 1024 + 2 * 256 * 1024 + chunkBytes)
  })

  it('a reader that stops early stops the job, and the rest of the input is never read', async () => {
    let read = 0
    let jobError: unknown = null
    const input = (function* () {
      for (const chunk of chunks(64)) {
        read++
        yield chunk
      }
    })()
    const watched: StreamJobRunner<unknown, number> = (job, source, output) =>
      echo(job, source, output).catch((error: unknown) => {
        jobError = error
        throw error
      })
    const flow = runOnWorker<number>(null, (port) => serveStream(port, 'openpgp', watched), request, input)
    await flow.next()
    await flow.return(0)
    expect(read).toBeLessThan(64)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(jobError).toMatchObject({ code: 'INTERNAL' })
  })

  it("the caller's failure to read its input ends the job and reaches the caller unchanged", async () => {
    const broken = (function* () {
      yield new Uint8Array(8)
      throw new SiegelpostError('FILE_UNREADABLE', { path: 'mail.eml', reason: 'EIO' })
    })()
    await expect(run(echo, broken)).rejects.toMatchObject({ code: 'FILE_UNREADABLE' })
  })
})

describe('OpenPGP on the protocol', () => {
  it('a message for someone else is ENCRYPTION_NOT_FOR_YOU, in memory and through the worker protocol', async () => {
    const now = new Date()
    const { advisor, clientPublic } = await generatePair(now)
    const plain = new ReadableStream<Uint8Array>({
      start: (controller) => {
        controller.enqueue(new TextEncoder().encode('Vertraulich'))
        controller.close()
      },
    })
    const encrypted = await encryptToStream(plain, { recipients: [clientPublic], signer: null, now })
    const bytes = new Uint8Array(await new Response(encrypted).arrayBuffer())
    // The vault holds only the advisor's own key; the message is for the client.
    const once = () => new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(bytes), c.close()) })
    await expect(decryptToSink(once(), { keys: [clientPublic], now }, () => undefined)).rejects.toMatchObject({
      code: 'ENCRYPTION_NOT_FOR_YOU',
    })
    const job = { kind: 'decrypt' as const, keys: [advisor], now, isArmored: false }
    const flow = openpgpThroughWorker({ tempDir: '/nonexistent' }, [bytes], job, bytes.length)
    const error = await flow.next().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(SiegelpostError)
    expect(error).toMatchObject({ code: 'ENCRYPTION_NOT_FOR_YOU' })
  })
})
