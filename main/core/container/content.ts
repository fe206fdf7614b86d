import { z } from 'zod'

/**
 * What the container says about itself for a reader with Siegelpost (`container open`): a JSON stream under a
 * private catalog key. Encrypted with everything else; ordinary PDF readers ignore the key.
 */
export const contentKey = 'SiegelpostContent'

export const containerContentSchema = z.object({
  version: z.literal(1),
  from: z.string(),
  date: z.string(),
  subject: z.string(),
  text: z.string(),
  files: z.array(
    z.object({
      fileName: z.string(),
      contentType: z.string(),
      size: z.number().int().nonnegative(),
      sha256: z.string(),
    }),
  ),
})

export type ContainerContent = z.infer<typeof containerContentSchema>
