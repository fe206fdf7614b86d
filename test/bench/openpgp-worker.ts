// One measured Siegelpost operation in its own process (so peak RSS is this operation's):
//   node test/bench/openpgp-worker.ts compose DIR FILE   → DIR/mail.eml
//   node test/bench/openpgp-worker.ts open DIR           → checks verdicts, prints nothing
import { readFile, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { StoredKey } from '../../main/core/keys/stored-key.ts'
import { composeMessage } from '../../main/core/message/compose.ts'
import { openMessage } from '../../main/core/message/open.ts'
import { messageTechnologies } from '../../main/core/message/technologies.ts'

const [operation, dir, file] = process.argv.slice(2) as [string, string, string | undefined]
const keys = JSON.parse(await readFile(join(dir, 'keys.json'), 'utf8')) as { sender: StoredKey; recipient: StoredKey }
if (operation === 'compose') {
  const bytes = await readFile(file!)
  const result = await composeMessage(
    { from: 'anna@kanzlei.test', to: ['max@mandant.test'], cc: [], subject: 'Bench', body: 'Anlage', attachments: [{ fileName: basename(file!), contentType: 'application/pdf', bytes }], encrypt: 'openpgp', sign: true },
    { keys: [keys.sender, { ...keys.recipient, hasSecret: false }], now: new Date(), technologies: messageTechnologies },
  )
  await writeFile(join(dir, 'mail.eml'), result.bytes)
} else {
  const raw = await readFile(join(dir, 'mail.eml'))
  const { document } = await openMessage(raw, messageTechnologies, { keys: [keys.recipient, { ...keys.sender, hasSecret: false }], now: new Date() })
  if (document.security.encryption.state !== 'encrypted' || document.security.signature.state !== 'valid') {
    throw new Error(`unexpected verdicts ${JSON.stringify(document.security)}`)
  }
}
