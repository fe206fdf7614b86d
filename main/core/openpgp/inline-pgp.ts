import { readCleartextMessage, verify } from 'openpgp'
import { reason } from '../errors/index.ts'
import type { InlineOutcome, OpenContext } from '../message/technology.ts'
import { checkSignatures, decryptFailure, firstLine, loadAll, verificationDate } from './checks.ts'
import { openpgpConfig, textDecoder } from './config.ts'
import { messageBlock, signedBlock } from './pgp-mime-kind.ts'
import { decryptArmoredOrBinary } from './pgp-stream.ts'

/**
 * Inline OpenPGP (an ASCII-armored block in a text body, RFC 4880 §6.2): an encrypted message or a
 * cleartext-signed text. Protection counts only when the block is the whole body; open.ts decides
 * what that means for the verdict.
 */

/** An armored block as HTML mail or Exchange leave it: blank or space-only lines inside, odd indentation. */
function normalizeArmor(block: string): string {
  const lines = block.split(/\r?\n/).map((line) => line.replace(/[\s\u00a0]+/g, ''))
  const [begin, ...rest] = lines.filter((line) => line !== '')
  const headers = rest.filter((line) => /^[A-Za-z-]+:/.test(line))
  const body = rest.filter((line) => !/^[A-Za-z-]+:/.test(line))
  return [
    begin!.replace('-----BEGINPGPMESSAGE-----', '-----BEGIN PGP MESSAGE-----'),
    ...headers,
    '',
    ...body.map((l) => l.replace('-----ENDPGPMESSAGE-----', '-----END PGP MESSAGE-----')),
  ].join('\n')
}

/** The inline protection of a text body, or null when it holds no armored block. */
export async function inspectInlinePgp(text: string, context: OpenContext): Promise<InlineOutcome | null> {
  const encrypted = messageBlock.exec(text)
  const signed = signedBlock.exec(text)
  const match = encrypted && (!signed || encrypted.index < signed.index) ? encrypted : signed
  if (!match) return null
  const kind = match === encrypted ? 'encrypted' : 'signed'
  const isWholeBody =
    text.slice(0, match.index).trim() === '' && text.slice(match.index + match[0].length).trim() === ''
  if (!isWholeBody) return { kind, isWholeBody, text: null, failure: null, signatures: [] }
  if (kind === 'encrypted') {
    try {
      const result = await decryptArmoredOrBinary(new TextEncoder().encode(normalizeArmor(match[0])), context)
      return {
        kind,
        isWholeBody,
        text: textDecoder.decode(result.content).replace(/\r\n/g, '\n'),
        failure: null,
        signatures: result.signatures,
      }
    } catch (error) {
      return { kind, isWholeBody, text: null, failure: decryptFailure(error), signatures: [] }
    }
  }
  try {
    const loaded = await loadAll(context.keys)
    const message = await readCleartextMessage({ cleartextMessage: match[0], config: openpgpConfig })
    const result = await verify({
      message,
      verificationKeys: loaded.map((e) => e.key),
      date: verificationDate(context),
      config: openpgpConfig,
    })
    return {
      kind,
      isWholeBody,
      text: message.getText().replace(/\r\n/g, '\n'),
      failure: null,
      signatures: await checkSignatures(result.signatures, loaded),
    }
  } catch (error) {
    return {
      kind,
      isWholeBody,
      text: null,
      failure: reason('SIGNATURE_DAMAGED', { detail: firstLine(error) }),
      signatures: [],
    }
  }
}
