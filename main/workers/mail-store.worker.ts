// Worker thread entry for a sync's writes into the message store: all logic is in the core (mailbox/store-writer.ts).
import { parentPort } from 'node:worker_threads'
import { serveStoreWriter, type WriterPort } from '../core/mailbox/store-writer.ts'

if (parentPort) serveStoreWriter(parentPort as unknown as WriterPort)
