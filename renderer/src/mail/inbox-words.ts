import { useI18n } from '../i18n'

/**
 * The Posteingang's wording (folder pane, message list, sync), German first; terms from UI.md §4.
 * The list knows a message's protection only from its outer header: it never says "signed" as if the
 * signature were checked — that is the read view's security bar, after opening.
 */
const de = {
  'inbox.folders': 'Ordner',
  'inbox.messages': 'Nachrichten in {folder}',
  'inbox.search': 'Suchen in Absender, Empfänger und Betreff (Strg+F)',
  'inbox.searchPlaceholder': 'Suchen …',
  'inbox.sync': 'Jetzt abrufen',
  'inbox.syncing': 'Abruf läuft …',
  'inbox.syncProgress': '{folder}: {done} von {total} neuen Nachrichten',
  'inbox.syncScanning': '{folder} wird abgeglichen …',
  'inbox.syncDone': 'Abgerufen um {time}: {stored} neue Nachrichten.',
  'inbox.syncDoneOne': 'Abgerufen um {time}: 1 neue Nachricht.',
  'inbox.syncDoneNone': 'Abgerufen um {time}: keine neuen Nachrichten.',
  'inbox.syncFailedAt': 'Abruf für {account}{folder} nicht möglich:',
  'inbox.syncFailed': 'Abruf um {time} nicht vollständig – gespeicherte Nachrichten bleiben lesbar.',
  'inbox.noAccount':
    'Noch kein E-Mail-Konto eingerichtet. Richten Sie unter „Konten“ Ihr Konto ein; danach erscheinen Ihre Nachrichten hier.',
  'inbox.setUpAccount': 'Konto einrichten …',
  'inbox.emptyFolder': 'Keine Nachrichten in diesem Ordner.',
  'inbox.noMatch': 'Keine Nachricht passt zu „{search}“.',
  'inbox.count': '{count} Nachrichten',
  'inbox.countSearch': '{count} von {total} Nachrichten gefunden',
  'inbox.unreadCount': '{count} ungelesen',
  'inbox.unread': 'ungelesen',
  'inbox.flagged': 'markiert',
  'inbox.noSubject': '(kein Betreff)',
  'inbox.noSender': '(kein Absender)',
  'inbox.malformed': 'beschädigter Kopf',
  'inbox.keys': 'Tasten: ↑/↓ oder j/k wählen, Eingabe öffnet, Entf löscht, Umschalt+U gelesen/ungelesen, S markiert',
  'inbox.sort': 'Reihenfolge',
  'inbox.sortNewest': 'Neueste zuerst',
  'inbox.sortOldest': 'Älteste zuerst',
  'actions.label': 'Gelesen und markiert',
  'actions.markRead': 'Als gelesen markieren',
  'actions.markUnread': 'Als ungelesen markieren',
  'actions.flag': 'Markieren',
  'actions.unflag': 'Markierung entfernen',
  'actions.read': 'gelesen',
  'inbox.pickMessage': 'Wählen Sie links eine Nachricht aus – ein Klick oder die Eingabetaste öffnet sie.',
  'inbox.reading': 'Nachricht lesen',
  'inbox.deleted': 'In den Papierkorb gelegt.',
  'inbox.deletedForGood': 'Endgültig gelöscht.',
  'inbox.seenPending':
    'Keine Verbindung zum Server: Die Nachricht wird als gelesen markiert, sobald die Verbindung wieder steht.',
  'inbox.waiting': 'wartet auf den Server',
  'inbox.waitingTrash': 'kommt in den Papierkorb, sobald der Server erreichbar ist',
  'inbox.deletePending':
    'Keine Verbindung zum Server: Die Nachricht wird in den Papierkorb gelegt, sobald die Verbindung wieder steht.',
  'inbox.flagPending':
    'Keine Verbindung zum Server: Die Änderung wird dort eingetragen, sobald die Verbindung wieder steht.',
  'inbox.seenFailed': 'Der Server hat die Markierung „gelesen“ abgelehnt; die Nachricht bleibt ungelesen.',
  'inbox.newOne': 'Neue Nachricht eingegangen',
  'inbox.newOneEncrypted': 'Neue verschlüsselte Nachricht eingegangen',
  'inbox.newMany': '{count} neue Nachrichten eingegangen',
  'inbox.newManyEncrypted': '{count} neue verschlüsselte Nachrichten eingegangen',
  'inbox.newManySome': '{count} neue Nachrichten eingegangen, davon {encrypted} verschlüsselt',
  'inbox.watchOffline':
    'Server ({account}) nicht erreichbar: Neue Nachrichten folgen, sobald er es wieder ist.' +
    ' Gespeicherte Nachrichten bleiben lesbar.',
  'protection.encrypted': 'Verschlüsselt',
  'protection.signed': 'Mit Signatur – wird beim Öffnen geprüft',
  'protection.plain': 'Nicht Ende-zu-Ende-verschlüsselt',
  'protection.unknown': 'Schutz wird beim Öffnen geprüft',
  'folder.inbox': 'Posteingang',
  'folder.drafts': 'Entwürfe',
  'folder.sent': 'Gesendet',
  'folder.trash': 'Papierkorb',
  'folder.junk': 'Spam',
  'folder.archive': 'Archiv',
}

const en: Record<keyof typeof de, string> = {
  'inbox.folders': 'Folders',
  'inbox.messages': 'Messages in {folder}',
  'inbox.search': 'Search sender, recipients and subject (Ctrl+F)',
  'inbox.searchPlaceholder': 'Search …',
  'inbox.sync': 'Fetch now',
  'inbox.syncing': 'Fetching …',
  'inbox.syncProgress': '{folder}: {done} of {total} new messages',
  'inbox.syncScanning': 'Checking {folder} …',
  'inbox.syncDone': 'Fetched at {time}: {stored} new messages.',
  'inbox.syncDoneOne': 'Fetched at {time}: 1 new message.',
  'inbox.syncDoneNone': 'Fetched at {time}: no new messages.',
  'inbox.syncFailedAt': 'Fetching {account}{folder} was not possible:',
  'inbox.syncFailed': 'Fetch at {time} not complete – stored messages stay readable.',
  'inbox.noAccount':
    'No e-mail account is set up yet. Set up your account under “Accounts”; your messages then appear here.',
  'inbox.setUpAccount': 'Set up account …',
  'inbox.emptyFolder': 'No messages in this folder.',
  'inbox.noMatch': 'No message matches “{search}”.',
  'inbox.count': '{count} messages',
  'inbox.countSearch': '{count} of {total} messages found',
  'inbox.unreadCount': '{count} unread',
  'inbox.unread': 'unread',
  'inbox.flagged': 'flagged',
  'inbox.noSubject': '(no subject)',
  'inbox.noSender': '(no sender)',
  'inbox.malformed': 'damaged header',
  'inbox.keys': 'Keys: ↑/↓ or j/k select, Enter opens, Delete deletes, Shift+U read/unread, S flags',
  'inbox.sort': 'Order',
  'inbox.sortNewest': 'Newest first',
  'inbox.sortOldest': 'Oldest first',
  'actions.label': 'Read and flagged',
  'actions.markRead': 'Mark as read',
  'actions.markUnread': 'Mark as unread',
  'actions.flag': 'Flag',
  'actions.unflag': 'Remove flag',
  'actions.read': 'read',
  'inbox.pickMessage': 'Choose a message on the left – a click or Enter opens it.',
  'inbox.reading': 'Read message',
  'inbox.deleted': 'Moved to Trash.',
  'inbox.deletedForGood': 'Deleted for good.',
  'inbox.seenPending': 'No connection to the server: the message will be marked read once the connection is back.',
  'inbox.waiting': 'waiting for the server',
  'inbox.waitingTrash': 'goes to the Trash once the server can be reached',
  'inbox.deletePending': 'No connection to the server: the message will go to the Trash once the connection is back.',
  'inbox.flagPending': 'No connection to the server: the change will be written there once the connection is back.',
  'inbox.seenFailed': 'The server refused the “read” mark; the message stays unread.',
  'inbox.newOne': 'New message received',
  'inbox.newOneEncrypted': 'New encrypted message received',
  'inbox.newMany': '{count} new messages received',
  'inbox.newManyEncrypted': '{count} new encrypted messages received',
  'inbox.newManySome': '{count} new messages received, {encrypted} of them encrypted',
  'inbox.watchOffline':
    'No connection to the server ({account}): new messages come once it is back. Stored ones stay readable.',
  'protection.encrypted': 'Encrypted',
  'protection.signed': 'Has a signature – checked when opened',
  'protection.plain': 'Not end-to-end encrypted',
  'protection.unknown': 'Protection is checked when opened',
  'folder.inbox': 'Inbox',
  'folder.drafts': 'Drafts',
  'folder.sent': 'Sent',
  'folder.trash': 'Trash',
  'folder.junk': 'Junk',
  'folder.archive': 'Archive',
}

export type InboxWord = keyof typeof de
const words = { de, en }

export function useInboxWords() {
  const { lang } = useI18n()
  return {
    lang,
    w: (key: InboxWord, params: Record<string, string | number> = {}) =>
      words[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)),
  }
}
