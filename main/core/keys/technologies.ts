import { openpgpTechnology } from '../openpgp/key-technology.ts'
import { smimeTechnology } from '../smime/smime-keys.ts'
import type { KeyTechnology } from './technology.ts'

/** The key technologies Siegelpost knows, in detection order. Each domain adds its own here. */
export const keyTechnologies: readonly KeyTechnology[] = [openpgpTechnology, smimeTechnology]
