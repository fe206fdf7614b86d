import type { Command } from './command.ts'
import { containerCommands } from './container-commands.ts'
import { keysCommands } from './keys-commands.ts'
import { mailboxCommands } from './mailbox-commands.ts'
import { messageCommands } from './message-commands.ts'
import { openpgpCommands } from './openpgp-commands.ts'
import { policyCommands } from './policy-commands.ts'
import { replyCommands } from './reply-commands.ts'
import { smimeCommands } from './smime-commands.ts'
import { domainCommands, transportCommands } from './transport-commands.ts'
import { vaultCommands } from './vault-commands.ts'

/** Every `siegelpost` command, in the order --help lists them. Each domain adds its list here. */
export const commands: readonly Command[] = [
  ...keysCommands,
  ...openpgpCommands,
  ...smimeCommands,
  ...messageCommands,
  ...replyCommands,
  ...containerCommands,
  ...transportCommands,
  ...mailboxCommands,
  ...policyCommands,
  ...domainCommands,
  ...vaultCommands,
]
