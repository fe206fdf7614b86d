import type { FolderView } from '../../../preload/mailbox-contract'
import { useInboxWords, type InboxWord } from './inbox-words'

export interface AccountFolders {
  name: string
  email: string
  folders: FolderView[]
}

export interface FolderRef {
  account: string
  folder: string
}

/** A folder's name as people know it: the special folders in the UI language, others as the server names them. */
export function folderLabel(folder: Pick<FolderView, 'name' | 'role'>, w: (key: InboxWord) => string): string {
  return folder.role ? w(`folder.${folder.role}`) : folder.name
}

/** Accounts and their folders with unread counts; the chosen folder is marked for screen readers too. */
export function FolderPane({
  accounts,
  current,
  onChoose,
}: {
  accounts: readonly AccountFolders[]
  current: FolderRef | null
  onChoose: (ref: FolderRef) => void
}) {
  const { w } = useInboxWords()
  return (
    <nav className="sp-folders" aria-label={w('inbox.folders')} data-testid="folder-pane">
      {accounts.map((account) => (
        <section key={account.name} className="sp-folder-account">
          <h2 className="sp-folder-account-name" title={account.email}>
            {account.email || account.name}
          </h2>
          <ul>
            {account.folders.map((folder) => {
              const isCurrent = current?.account === account.name && current.folder === folder.name
              return (
                <li key={folder.name}>
                  <button
                    type="button"
                    className={folder.unread > 0 ? 'sp-folder sp-folder-unread' : 'sp-folder'}
                    aria-current={isCurrent ? 'true' : undefined}
                    data-folder={folder.name}
                    data-unread={folder.unread}
                    onClick={() => onChoose({ account: account.name, folder: folder.name })}
                  >
                    <span className="sp-folder-name">{folderLabel(folder, w)}</span>
                    {folder.unread > 0 && (
                      <span className="sp-folder-count">
                        <span aria-hidden="true">{folder.unread}</span>
                        <span className="visually-hidden">{w('inbox.unreadCount', { count: folder.unread })}</span>
                      </span>
                    )}
                  </button>
                </li>
              )
            })}
          </ul>
        </section>
      ))}
    </nav>
  )
}
