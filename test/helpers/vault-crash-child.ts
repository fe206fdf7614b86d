// Run by vault.test.ts as a real child process (Node 24 type stripping): it starts a vault
// update and reports when the new generation sits in the temp file, then waits to be killed.
import { openVault } from '../../main/core/keys/vault.ts'
import { sampleKey } from './sample-key.ts'

const [profileDir, passphrase] = process.argv.slice(2) as [string, string]
const vault = await openVault({
  profileDir,
  keySource: { mode: 'passphrase', passphrase: Buffer.from(passphrase) },
  hooks: {
    afterTempWrite: async () => {
      process.send!('temp-written')
      await new Promise(() => {})
    },
  },
})
await vault.update((draft) => {
  draft.keys.push(sampleKey({ id: 'CRASHED0000000', fingerprint: 'FFFF' }))
})
