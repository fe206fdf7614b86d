/** The message store moved to the mailbox domain; this path stays for existing imports. */
export { MailStore, mailStoreFileName, mailStoreMigrations } from '../mailbox/mail-store.ts'
export type { EnvelopeRow, FolderState, ListQuery } from '../mailbox/mail-store.ts'
