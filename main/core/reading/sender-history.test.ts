import { describe, expect, it } from 'vitest'
import { observeSender, senderHistoryHook, withRecord, type SenderRecord } from './sender-history.ts'

const now = new Date('2026-03-12T09:00:00Z')
const keyA = { technology: 'openpgp' as const, fingerprint: 'AAAA' }
const keyB = { technology: 'openpgp' as const, fingerprint: 'BBBB' }

/** Opens the mails in order against one history, as the app does, and returns each verdict. */
function readInOrder(mails: { address: string; digest: string; key: typeof keyA | null }[]) {
  let records: SenderRecord[] = []
  return mails.map(({ address, digest, key }) => {
    const verdict = observeSender(records, { address, messageDigest: digest, signerKey: key, now })
    records = withRecord(records, verdict.next)
    return verdict
  })
}

describe('sender history', () => {
  it('calls the first mail from an address a first contact, and still does when that mail is opened again', () => {
    const [first, again, second] = readInOrder([
      { address: 'Info@Kanzlei.example', digest: 'm1', key: null },
      { address: 'info@kanzlei.example', digest: 'm1', key: null },
      { address: 'info@kanzlei.example', digest: 'm2', key: null },
    ])
    expect([first!.isFirstContact, again!.isFirstContact, second!.isFirstContact]).toEqual([true, true, false])
    expect(first!.next.address).toBe('info@kanzlei.example')
  })

  it('warns when a valid signature comes from another key than last time, and keeps warning for that mail', () => {
    const verdicts = readInOrder([
      { address: 'a@x.example', digest: 'm1', key: keyA },
      { address: 'a@x.example', digest: 'm2', key: keyA },
      { address: 'a@x.example', digest: 'm3', key: keyB },
      { address: 'a@x.example', digest: 'm3', key: keyB },
      { address: 'a@x.example', digest: 'm4', key: keyB },
    ])
    expect(verdicts.map((v) => v.isKeyChanged)).toEqual([false, false, true, true, false])
    expect(verdicts[2]!.previousKey).toEqual(keyA)
    expect(verdicts[4]!.next.key).toEqual(keyB)
  })

  it('does not count an unsigned mail or a first signed mail as a key change', () => {
    const verdicts = readInOrder([
      { address: 'a@x.example', digest: 'm1', key: null },
      { address: 'a@x.example', digest: 'm2', key: keyA },
      { address: 'a@x.example', digest: 'm3', key: null },
    ])
    expect(verdicts.map((v) => v.isKeyChanged)).toEqual([false, false, false])
    expect(verdicts[2]!.next.key).toEqual(keyA)
  })

  it('warns for an older mail signed by the replaced key without switching back to it', () => {
    const verdicts = readInOrder([
      { address: 'a@x.example', digest: 'm1', key: keyA },
      { address: 'a@x.example', digest: 'm2', key: keyB },
      { address: 'a@x.example', digest: 'm0', key: keyA },
    ])
    expect(verdicts[2]!.isKeyChanged).toBe(true)
    expect(verdicts[2]!.next.key).toEqual(keyB)
  })
})

describe('the sender history as open’s hook', () => {
  it('answers with coded warnings and hands over the record to store', () => {
    const kept: SenderRecord[] = []
    const first = senderHistoryHook([], 'm1', now, (record) => kept.push(record))({
      address: 'a@x.example',
      signer: keyA,
    })
    expect(first).toEqual([{ code: 'first-contact', params: { address: 'a@x.example' } }])
    const changed = senderHistoryHook(kept, 'm2', now, (record) => kept.push(record))({
      address: 'a@x.example',
      signer: keyB,
    })
    expect(changed.map((w) => w.code)).toEqual(['sender-key-changed'])
    expect(senderHistoryHook(kept, 'm3', now, () => undefined)({ address: null, signer: null })).toEqual([])
  })
})
