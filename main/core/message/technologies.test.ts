import { describe, expect, it } from 'vitest'
import { openpgpRecognizer } from '../openpgp/pgp-mime-kind.ts'
import { openpgpMessageTechnology } from '../openpgp/pgp-mime.ts'
import { smimeRecognizer } from '../smime/smime-kind.ts'
import { smimeMessageTechnology } from '../smime/smime-message.ts'

describe('lazy technologies', () => {
  it('offer only the optional work their loaded technology has: a phantom offer fails only when it is used', () => {
    for (const [recognizer, loaded] of [
      [openpgpRecognizer, openpgpMessageTechnology],
      [smimeRecognizer, smimeMessageTechnology],
    ] as const) {
      const has = (work: string) => typeof (loaded as unknown as Record<string, unknown>)[work] === 'function'
      expect(
        recognizer.offers.filter((work) => !has(work)),
        recognizer.technology,
      ).toEqual([])
    }
  })
})
