import { openpgpRecognizer } from '../openpgp/pgp-mime-kind.ts'
import { smimeRecognizer } from '../smime/smime-kind.ts'
import type { MessageTechnology, TechnologyRecognizer } from './technology.ts'

/**
 * A technology whose cryptography is imported on its first use: recognizing a part and choosing a key need
 * none, so a message of one technology never loads the other's library (openpgp.js, pkijs), and a command
 * that uses neither loads neither. The loaded technology does the work; this forwards to it.
 */
export function lazyTechnology(
  recognizer: TechnologyRecognizer,
  load: () => Promise<MessageTechnology>,
): MessageTechnology {
  let loaded: Promise<MessageTechnology> | null = null
  const full = () => (loaded ??= load())
  const offers = new Set(recognizer.offers)
  const { technology, isEncrypted, isSigned, opaqueSignedContent, inlineKind, keyFor } = recognizer
  return {
    technology,
    isEncrypted,
    isSigned,
    ...(opaqueSignedContent ? { opaqueSignedContent } : {}),
    ...(inlineKind ? { inlineKind } : {}),
    keyFor,
    decrypt: async (part, context) => (await full()).decrypt(part, context),
    verify: async (part, context) => (await full()).verify(part, context),
    sign: async (content, signer, now) => (await full()).sign(content, signer, now),
    encrypt: async (content, recipients, signer, now) => (await full()).encrypt(content, recipients, signer, now),
    ...(offers.has('inspectInline')
      ? { inspectInline: async (text, context) => (await full()).inspectInline!(text, context) }
      : {}),
    ...(offers.has('offeredKeys')
      ? {
          offeredKeys: async (root, parts, carried) =>
            recognizer.mayOfferKeys?.(root, parts, carried) === false
              ? []
              : (await full()).offeredKeys!(root, parts, carried),
        }
      : {}),
    ...(offers.has('outerHeaders')
      ? { outerHeaders: async (sender, address) => (await full()).outerHeaders!(sender, address) }
      : {}),
    ...(offers.has('encryptStream')
      ? {
          async *encryptStream(content, size, recipients, signer, now, streaming) {
            yield* (await full()).encryptStream!(content, size, recipients, signer, now, streaming)
          },
        }
      : {}),
    ...(offers.has('signStream')
      ? {
          async *signStream(content, signer, now) {
            yield* (await full()).signStream!(content, signer, now)
          },
        }
      : {}),
  } satisfies MessageTechnology
}

/** The message-security technologies `open` and `compose` use, in preference order. */
export const messageTechnologies: readonly MessageTechnology[] = [
  lazyTechnology(openpgpRecognizer, async () => (await import('../openpgp/pgp-mime.ts')).openpgpMessageTechnology),
  lazyTechnology(smimeRecognizer, async () => (await import('../smime/smime-message.ts')).smimeMessageTechnology),
]
