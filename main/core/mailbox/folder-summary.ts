import type { EnvelopeRow } from './mail-store-schema.ts'

/**
 * The folder pane's view of the store: per account its folders with how many messages are stored and how
 * many of them are unread (no \Seen flag, RFC 3501 §2.3.2). Folders the server listed but that hold
 * nothing yet count as empty; INBOX is always there.
 */
export interface FolderSummary {
  name: string
  /** The folder's role by its usual names (RFC 6154 special-use names or common translations), else null. */
  role: 'inbox' | 'drafts' | 'sent' | 'trash' | 'junk' | 'archive' | null
  total: number
  unread: number
}

const roles: [FolderSummary['role'], RegExp][] = [
  ['inbox', /^inbox$/i],
  ['drafts', /^(drafts?|entwürfe)$/i],
  ['sent', /^(sent( items| messages| mail)?|gesendet(e (elemente|objekte))?)$/i],
  ['trash', /^(trash|papierkorb|deleted( items| messages)?|gelöschte elemente)$/i],
  ['junk', /^(junk|spam|junk-e-mail)$/i],
  ['archive', /^(archiv|archive)$/i],
]

export function folderRole(name: string): FolderSummary['role'] {
  const last = name.split(/[/.]/).pop() ?? name
  return roles.find(([, pattern]) => pattern.test(name) || pattern.test(last))?.[0] ?? null
}

const order: FolderSummary['role'][] = ['inbox', 'drafts', 'sent', 'archive', 'junk', 'trash']
const rank = (folder: FolderSummary) => {
  const at = order.indexOf(folder.role)
  // Folders without a role sit between Sent and Archive, in alphabetical order.
  return at === -1 ? 2.5 : at
}

export const isUnread = (row: Pick<EnvelopeRow, 'flags'>) => !row.flags.includes('\\Seen')

/** The folders of `account`: the stored rows counted, plus `known` names (from the server's LIST) as empty. */
export function folderSummaries(
  rows: readonly Pick<EnvelopeRow, 'account' | 'folder' | 'flags'>[],
  account: string,
  known: Iterable<string> = [],
): FolderSummary[] {
  const byName = new Map<string, FolderSummary>()
  const folderOf = (name: string) => {
    let folder = byName.get(name)
    if (!folder) byName.set(name, (folder = { name, role: folderRole(name), total: 0, unread: 0 }))
    return folder
  }
  folderOf('INBOX')
  for (const name of known) folderOf(name)
  for (const row of rows) {
    if (row.account !== account) continue
    const folder = folderOf(row.folder)
    folder.total++
    if (isUnread(row)) folder.unread++
  }
  return [...byName.values()].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name))
}
