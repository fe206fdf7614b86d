import { createReadStream, createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  decryptCmsStream,
  encryptCmsStream,
  readSignedStream,
  signCmsStream,
} from '../../main/core/smime/cms-stream.ts'
import { decryptCms, encryptCms } from '../../main/core/smime/cms-envelope.ts'
import { signCms } from '../../main/core/smime/cms-signed.ts'
import { verifySmimeSignature } from '../../main/core/smime/cms-verify.ts'
import { pemBlocks } from '../../main/core/smime/der.ts'
import { runSmimeStreamInWorker } from '../../main/workers/smime-stream.ts'

/** One whole-process S/MIME operation for the benchmark: `node smime-op.ts encrypt|encrypt-stream|encrypt-worker|decrypt|decrypt-stream|decrypt-worker DIR IN OUT`. */
const [op, dir, input, output] = process.argv.slice(2) as [string, string, string, string]
const pem = (file: string, label: string) => pemBlocks(readFileSync(`${dir}/${file}`, 'latin1'), [label])[0]!.der
const certificate = pem('alice.pem', 'CERTIFICATE')
const pkcs8 = pem('alice.p8', 'PRIVATE KEY')
const now = new Date()
// The worker as the app runs it: the built bundle when there is one (npm run build), else the source entry.
const builtWorker = new URL('../../out/main/smime-stream-worker.js', import.meta.url)
const workerUrl = existsSync(builtWorker) ? builtWorker : undefined
if (op === 'encrypt-worker') {
  await runSmimeStreamInWorker(
    {
      kind: 'sign-encrypt',
      signer: { certificate, pkcs8, chain: [] },
      recipients: [{ certificate }],
      now: now.toISOString(),
    },
    { input, output },
    workerUrl ? { workerUrl } : {},
  )
} else if (op === 'decrypt-worker') {
  const result = await runSmimeStreamInWorker(
    { kind: 'decrypt-signed', identities: [{ certificate, pkcs8 }] },
    { input, output },
    workerUrl ? { workerUrl } : {},
  )
  if (result.kind !== 'decrypt-signed') throw new Error('unexpected result')
  const verdict = verifySmimeSignature({
    cms: result.cms,
    contentDigests: result.contentDigests,
    from: 'alice@example.org',
    anchors: [pem('ca.pem', 'CERTIFICATE')],
    crls: null,
    now,
  })
  if (verdict.state !== 'valid') throw new Error(verdict.reason)
} else if (op === 'encrypt-stream') {
  const signer = { certificate, pkcs8, chain: [] }
  await pipeline(
    Readable.from(encryptCmsStream(signCmsStream(createReadStream(input), signer, now), [{ certificate }])),
    createWriteStream(output),
  )
} else if (op === 'decrypt-stream') {
  const out = createWriteStream(output)
  const { cms, contentDigests } = await readSignedStream(
    decryptCmsStream(createReadStream(input), [{ certificate, pkcs8 }]),
    (chunk) => (out.write(chunk) ? undefined : new Promise<void>((resolve) => out.once('drain', () => resolve()))),
  )
  await new Promise((resolve) => out.end(resolve))
  const verdict = verifySmimeSignature({
    cms,
    contentDigests,
    from: 'alice@example.org',
    anchors: [pem('ca.pem', 'CERTIFICATE')],
    crls: null,
    now,
  })
  if (verdict.state !== 'valid') throw new Error(verdict.reason)
} else if (op === 'encrypt') {
  const signed = signCms({
    content: readFileSync(input),
    signer: { certificate, pkcs8, chain: [] },
    detached: false,
    now,
  })
  writeFileSync(output, encryptCms({ content: signed, recipients: [{ certificate }] }))
} else {
  const inner = decryptCms({ cms: readFileSync(input), identities: [{ certificate, pkcs8 }] }).content
  const verdict = verifySmimeSignature({
    cms: inner,
    from: 'alice@example.org',
    anchors: [pem('ca.pem', 'CERTIFICATE')],
    crls: null,
    now,
  })
  if (verdict.state !== 'valid') throw new Error(verdict.reason)
  writeFileSync(output, verdict.content!)
}
