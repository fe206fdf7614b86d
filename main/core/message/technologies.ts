import { openpgpMessageTechnology } from '../openpgp/pgp-mime.ts'
import { smimeMessageTechnology } from '../smime/smime-message.ts'
import type { MessageTechnology } from './technology.ts'

/** The message-security technologies `open` and `compose` use, in preference order. S/MIME adds itself here. */
export const messageTechnologies: readonly MessageTechnology[] = [openpgpMessageTechnology, smimeMessageTechnology]
