import type { Request, Response } from '../../preload/contract.ts'
import type { DraftStore } from '../core/drafts/draft-store.ts'
import { SignatureStore } from '../core/drafts/signature-store.ts'
import type { Lang } from '../core/errors/index.ts'
import type { Vault } from '../core/keys/vault.ts'
import { buildReply } from '../core/message/reply.ts'
import { parseMime } from '../core/mime/parse.ts'
import type { Reading } from '../core/reading/open-for-reading.ts'
import { accountStoreOf, type TransportProfile } from '../core/transport/transport-profile.ts'

export interface ReplyDraftDeps {
  getVault: () => Promise<Vault>
  profile: () => Promise<TransportProfile>
  getDrafts: () => Promise<DraftStore>
}

/**
 * "Antworten / Allen antworten / Weiterleiten" in the read view: a draft from the message the read
 * view shows (the same opened reading, so the quote is what the reader saw as one protected unit),
 * from the account the message was sent to (else the first account; the composer lets the user choose).
 * Replying to a Reply-To that is not the sender needs `toReplyTo`, which the read view sets only after
 * the user confirmed that address.
 */
export async function replyDraftFor(
  open: { reading: Reading; bytes: Uint8Array },
  request: Request<'mail:reply'>,
  deps: ReplyDraftDeps,
): Promise<Response<'mail:reply'>> {
  const { reading } = open
  const vault = await deps.getVault()
  const keys = vault.contents.keys
  const ownAddresses = [...new Set(keys.filter((k) => k.hasSecret).flatMap((k) => k.emails))]
  const accounts = await accountStoreOf(await deps.profile()).list()
  const { to, cc } = reading.document.headers
  const addressed = [...to, ...(cc ?? [])].map((a) => a.toLowerCase())
  const account = accounts.find((a) => addressed.includes(a.email.toLowerCase())) ?? accounts[0] ?? null
  const from = account?.email.toLowerCase() ?? addressed.find((a) => ownAddresses.includes(a)) ?? ''
  const lang: Lang = request.lang
  const draft = buildReply(reading, parseMime(open.bytes), {
    kind: request.kind,
    from,
    ownAddresses,
    toReplyTo: request.toReplyTo,
    forwardTo: request.kind === 'forward' ? [] : undefined,
    lang,
  })
  const documentAttachments = reading.result.document.attachments
  const bytes = draft.attachments.length ? reading.result.attachmentBytes : []
  const profile = await deps.profile()
  const signature = account ? await new SignatureStore(profile.profileDir, vault).get(account.name) : ''
  const created = await (
    await deps.getDrafts()
  ).create({
    account: account?.name ?? null,
    from,
    to: draft.to,
    cc: draft.cc,
    subject: draft.subject,
    // The account's signature block (the Kanzlei's required details), also in replies; the quote follows it.
    body: signature ? `\n\n-- \n${signature}` : '',
    reply: {
      ...draft.content,
      inReplyTo: draft.inReplyTo,
      references: draft.references,
      isHtmlLeftOut: draft.isHtmlLeftOut,
    },
    attachments: draft.attachments.map((index) => ({
      fileName: documentAttachments[index]!.filename,
      contentType: documentAttachments[index]!.contentType,
      bytes: bytes[index]!,
    })),
  })
  return {
    draftId: created.id,
    replyTo: { addresses: draft.replyTo.addresses, differsFromFrom: draft.replyTo.differsFromFrom },
    isEndToEndOnly: draft.content.isEndToEndOnly,
    isHtmlLeftOut: draft.isHtmlLeftOut,
  }
}
