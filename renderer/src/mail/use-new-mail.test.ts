import { describe, expect, it } from 'vitest'
import { newMailWords } from './use-new-mail'

describe('newMailWords', () => {
  it('picks the words by count and encryption, with counts as the only values', () => {
    expect(newMailWords({ unread: 1, encrypted: 1 })).toEqual({ word: 'inbox.newOneEncrypted', params: {} })
    expect(newMailWords({ unread: 1, encrypted: 0 })).toEqual({ word: 'inbox.newOne', params: {} })
    expect(newMailWords({ unread: 3, encrypted: 3 })).toEqual({ word: 'inbox.newManyEncrypted', params: { count: 3 } })
    expect(newMailWords({ unread: 3, encrypted: 1 })).toEqual({
      word: 'inbox.newManySome',
      params: { count: 3, encrypted: 1 },
    })
    expect(newMailWords({ unread: 4, encrypted: 0 })).toEqual({ word: 'inbox.newMany', params: { count: 4 } })
  })
})
