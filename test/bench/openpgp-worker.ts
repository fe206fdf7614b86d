// One measured Siegelpost operation in its own process (so peak RSS is this operation's), on the
// product's large-message path: attachment read from its file, worker thread, encrypted spool.
//   node test/bench/openpgp-worker.ts compose DIR FILE   → DIR/mail.eml
//   node test/bench/openpgp-worker.ts open DIR           → checks verdicts, writes DIR/out.bin
// Prints "peak-kib N" (VmHWM of /proc/self/status) on stdout at the end.
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { StoredKey } from '../../main/core/keys/stored-key.ts'
import { composeMessageStream } from '../../main/core/message/compose.ts'
import { openMessage } from '../../main/core/message/open.ts'
import { messageTechnologies } from '../../main/core/message/technologies.ts'
import { fileSource } from '../../main/core/mime/byte-source.ts'
import { writeFileAtomic } from '../../main/core/store/atomic-file.ts'

const [operation, dir, file] = process.argv.slice(2) as [string, string, string | undefined]
const keys = JSON.parse(await readFile(join(dir, 'keys.json'), 'utf8')) as { sender: StoredKey; recipient: StoredKey }
const streaming = {
  tempDir: tmpdir(),
  startWorker: () => new Worker(new URL('../../main/workers/openpgp-worker.ts', import.meta.url)),
}
if (operation === 'compose') {
  const source = fileSource(file!)
  const result = await composeMessageStream(
    {
      from: 'anna@kanzlei.test',
      to: ['max@mandant.test'],
      cc: [],
      subject: 'Bench',
      body: 'Anlage',
      attachments: [{ fileName: basename(file!), contentType: 'application/pdf', bytes: source }],
      encrypt: 'openpgp',
      sign: true,
    },
    {
      keys: [keys.sender, { ...keys.recipient, hasSecret: false }],
      now: new Date(),
      technologies: messageTechnologies,
      streaming,
    },
  )
  await writeFileAtomic(join(dir, 'mail.eml'), result.chunks, {}, { backup: false })
  source.close()
} else {
  const source = fileSource(join(dir, 'mail.eml'))
  const result = await openMessage(source, messageTechnologies, {
    keys: [keys.recipient, { ...keys.sender, hasSecret: false }],
    now: new Date(),
    streaming,
  })
  try {
    const { document } = result
    if (document.security.encryption.state !== 'encrypted' || document.security.signature.state !== 'valid') {
      throw new Error(`unexpected verdicts ${JSON.stringify(document.security)}`)
    }
    await writeFileAtomic(join(dir, 'out.bin'), result.attachmentChunks[0]!(), {}, { backup: false })
  } finally {
    result.dispose()
    source.close()
  }
}
console.log(`peak-kib ${/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]}`)
