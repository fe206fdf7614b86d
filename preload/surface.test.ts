import { describe, expect, it } from 'vitest'
import { channels, type MethodName } from './contract.ts'
import { buildSurface } from './surface.ts'

describe('preload surface', () => {
  it('exposes exactly one named function per contract channel and nothing generic', async () => {
    const calls: unknown[][] = []
    const surface = buildSurface(channels, async (channel, request) => {
      calls.push([channel, request])
      return { ok: true, value: null }
    })
    const expected: MethodName<(typeof channels)[number]>[] = [
      'appInfo',
      'keysList',
      'keysInspect',
      'keysImport',
      'keysVerify',
      'keysDelete',
      'keysBackupStart',
      'keysBackupSheet',
      'keysBackupSave',
      'keysBackupCancel',
      'keysCsr',
      'keysRevocation',
      'keysCopyPublic',
      'keysExportPublic',
      'keysGenerate',
      'vaultStatus',
    ]
    // --- accounts, outbox, policy (Zwangs-TLS) ---
    expected.push(
      'accountsList',
      'accountsAdd',
      'accountsRemove',
      'accountsTest',
      'outboxList',
      'outboxRetry',
      'outboxDrop',
      'policyShow',
      'policySetRequiretls',
      'policyRule',
      'policyTlsException',
      'policyConsent',
      'policyDecide',
    )
    // --- key manager: chains and sharing ---
    expected.push('keysChain', 'keysShareDraft', 'draftsList', 'keysLookup')
    // --- the read view ---
    expected.push('mailOpen', 'mailSaveAttachment', 'mailOpenAttachment', 'mailOfferedKey', 'mailClose', 'mailReply')
    expected.push('mailExportEml', 'mailExportPdf', 'mailPrint', 'mailProgress', 'mailCancel')
    // --- the Posteingang ---
    expected.push(
      'mailboxFolders',
      'mailboxList',
      'mailboxDelete',
      'mailboxFlag',
      'mailboxSync',
      'mailboxSyncStatus',
      'mailboxChanges',
    )
    // --- the consent register and a received password PDF ---
    expected.push(
      'consentList',
      'consentRecord',
      'consentLetter',
      'consentExport',
      'containerChoose',
      'containerOpen',
      'containerSaveAttachment',
      'containerClose',
    )
    // --- the composer ---
    expected.push(
      'draftsLoad',
      'draftsSave',
      'draftsDelete',
      'composePlan',
      'composeSend',
      'composeAttach',
      'composeDetach',
      'composeSignature',
      'composeSetSignature',
    )
    // --- the password PDF: generated passwords after a send, a received one in the read view ---
    expected.push(
      'composePasswordShow',
      'composePasswordCopy',
      'composePasswordLetter',
      'composePasswordForget',
      'mailContainerOpen',
      'mailContainerSave',
    )
    expect(Object.keys(surface).sort()).toEqual([...expected].sort())
    expect(Object.isFrozen(surface)).toBe(true)
    expect(surface).not.toHaveProperty('invoke')
    await surface.keysList!()
    expect(calls).toEqual([['keys:list', undefined]])
  })

  it('is self-contained so the UI harness can inject it as source text', () => {
    const rebuilt = new Function(`return (${buildSurface.toString()})`)() as typeof buildSurface
    expect(Object.keys(rebuilt(['vault:status'], async () => null))).toEqual(['vaultStatus'])
  })
})
