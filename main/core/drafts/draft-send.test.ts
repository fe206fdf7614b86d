import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { memorySecretStore } from '../../../test/helpers/memory-secret-store.ts'
import { SiegelpostError } from '../errors/index.ts'
import { openVault } from '../keys/vault.ts'
import { PolicyStore } from '../policy/policy-settings.ts'
import { addAccountFromInput } from '../transport/account.ts'
import { accountStoreOf, type TransportProfile } from '../transport/transport-profile.ts'
import { planFor, sendDraft } from './draft-send.ts'
import { DraftStore } from './draft-store.ts'

/** The composer's plan and send refuse before anything is queued: no account, a blocked recipient. */
const now = () => new Date('2026-12-04T10:00:00Z')

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    return error instanceof SiegelpostError ? error.code : `foreign ${String(error)}`
  }
  return 'no error'
}

describe('sending a draft', () => {
  let dir: string
  let profile: TransportProfile
  let drafts: DraftStore
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sp-draft-send-'))
    const vault = await openVault({
      profileDir: dir,
      keySource: { mode: 'passphrase', passphrase: Buffer.from('draft-send') },
    })
    const keychain = memorySecretStore()
    profile = { profileDir: dir, vault, keychain: async () => keychain, now, owner: 'test' }
    drafts = new DraftStore(dir, vault, now)
    const endpoint = { host: '127.0.0.1', port: 1, security: 'tls' as const }
    await addAccountFromInput(
      accountStoreOf(profile),
      { name: 'kanzlei', email: 'anna@kanzlei.test', user: 'anna', smtp: endpoint, imap: endpoint },
      'pw',
      now(),
    )
    await new PolicyStore(dir, vault).addConsent(
      { address: 'client@mandant.test', channel: 'tls', by: 'Anna', note: null },
      now(),
    )
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  const fields = {
    account: 'kanzlei',
    from: 'anna@kanzlei.test',
    to: ['client@mandant.test'],
    cc: [],
    bcc: [],
    subject: 'S',
    body: 'B',
    sign: true,
  }

  it('plans each recipient with the core: consent, no key, a wrong address', async () => {
    const plan = await planFor(profile, {
      from: 'anna@kanzlei.test',
      to: ['client@mandant.test', 'fremd@firma.de', 'falsch@'],
      cc: [],
      bcc: [],
    })
    expect(plan.recipients.map((r) => [r.address, r.protection, r.reason.code])).toEqual([
      ['client@mandant.test', 'tls', 'RECIPIENT_TLS_CONSENT'],
      ['fremd@firma.de', 'blocked', 'RECIPIENT_NO_KEY'],
      ['falsch@', 'blocked', 'RECIPIENT_BAD_ADDRESS'],
    ])
  })

  it('refuses a draft without account, without recipient, or with a blocked recipient: nothing queued, the draft kept', async () => {
    const noAccount = await drafts.save(null, { ...fields, account: null })
    expect(await codeOf(sendDraft(profile, drafts, noAccount.id))).toBe('DRAFT_NO_ACCOUNT')
    const empty = await drafts.save(null, { ...fields, to: [] })
    expect(await codeOf(sendDraft(profile, drafts, empty.id))).toBe('DRAFT_NO_RECIPIENT')
    const blocked = await drafts.save(null, { ...fields, bcc: ['fremd@firma.de'] })
    const refused = await sendDraft(profile, drafts, blocked.id).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(SiegelpostError)
    expect((refused as SiegelpostError).code).toBe('DRAFT_RECIPIENTS_BLOCKED')
    expect((refused as SiegelpostError).message).toContain('fremd@firma.de')
    expect((await drafts.list()).map((d) => d.id).sort()).toEqual([noAccount.id, empty.id, blocked.id].sort())
    expect((await readdir(dir)).filter((name) => /outbox/i.test(name))).toEqual([])
  })
  it('refuses the standing password where none is kept, before anything is queued', async () => {
    await new PolicyStore(dir, profile.vault).addConsent(
      { address: 'pdf@mandant.test', channel: 'container', by: 'Anna', note: null },
      now(),
    )
    const draft = await drafts.save(null, { ...fields, to: ['pdf@mandant.test'] })
    const refused = await sendDraft(profile, drafts, draft.id, dir, { 'pdf@mandant.test': 'standing' }).catch(
      (error: unknown) => error,
    )
    expect((refused as SiegelpostError).code).toBe('DRAFT_CONTAINER_NO_STANDING_PASSWORD')
    expect((refused as SiegelpostError).message).toContain('pdf@mandant.test')
    expect((await drafts.list()).map((d) => d.id)).toEqual([draft.id])
    expect((await readdir(dir)).filter((name) => /outbox/i.test(name))).toEqual([])
  })

  const reply = {
    kind: 'forward' as const,
    quote: '-------- Forwarded Message --------\nSECRET-FORWARD',
    note: '[note]',
    isEndToEndOnly: true,
    subjectWithoutEndToEnd: 'Fwd: Encrypted message',
    inReplyTo: null,
    references: [],
  }

  it("keeps a reply draft's quote through autosave, and refuses to forward an encrypted mail without end-to-end encryption", async () => {
    const created = await drafts.create({
      account: 'kanzlei',
      to: [],
      subject: 'Fwd: x',
      body: '',
      reply,
      attachments: [],
    })
    const saved = await drafts.save(created.id, fields)
    expect(saved.reply).toEqual(reply)
    expect((await drafts.load(created.id)).reply).toEqual(reply)
    const refused = await sendDraft(profile, drafts, created.id).catch((error: unknown) => error)
    expect((refused as SiegelpostError).code).toBe('FORWARD_NEEDS_END_TO_END')
    expect((refused as SiegelpostError).message).toContain('client@mandant.test')
    expect((await readdir(dir)).filter((name) => /outbox/i.test(name))).toEqual([])
    expect((await drafts.list()).map((d) => d.id)).toEqual([created.id])
  })
})
