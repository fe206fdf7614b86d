import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openVault, type Vault } from '../../main/core/keys/vault.ts'
import type { StoredKey } from '../../main/core/keys/stored-key.ts'
import { composeMessage, type ComposeInput } from '../../main/core/message/compose.ts'
import { messageTechnologies } from '../../main/core/message/technologies.ts'
import { generateOpenpgpKey } from '../../main/core/openpgp/generate.ts'
import { memorySecretStore } from './memory-secret-store.ts'

/** A vault in a temp folder with an in-memory keychain, for core tests. */
export async function tempVault(): Promise<{ vault: Vault; dir: string; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sp-openpgp-'))
  const vault = await openVault({ profileDir: dir, keySource: { mode: 'keychain', store: memorySecretStore() } })
  return { vault, dir, close: () => rm(dir, { recursive: true, force: true }) }
}

/** Keys generated once per file: an advisor (own, secret) and a client (public only unless asked). */
export async function generatePair(
  now: Date,
): Promise<{ advisor: StoredKey; client: StoredKey; clientPublic: StoredKey }> {
  const advisor = await generateOpenpgpKey({
    name: 'Anna Beraterin',
    email: 'anna@kanzlei.test',
    algorithm: 'curve25519',
    now,
  })
  const client = await generateOpenpgpKey({
    name: 'Max Mandant',
    email: 'max@mandant.test',
    algorithm: 'curve25519',
    now,
  })
  const { readKey } = await import('openpgp')
  const publicArmored = (await readKey({ armoredKey: String(client.material.armored) })).toPublic().armor()
  const clientPublic: StoredKey = {
    ...client,
    hasSecret: false,
    acceptance: 'unverified',
    material: { armored: publicArmored },
  }
  return { advisor, client, clientPublic }
}

export function compose(input: Partial<ComposeInput>, keys: readonly StoredKey[], now: Date) {
  return composeMessage(
    {
      from: 'anna@kanzlei.test',
      to: ['max@mandant.test'],
      cc: [],
      subject: 'Betreff',
      body: 'Vertraulich: Steuer-ID 12 345 678 901',
      attachments: [],
      encrypt: 'openpgp',
      sign: true,
      ...input,
    },
    { keys, now, technologies: messageTechnologies },
  )
}
