/**
 * Builds the `window.siegelpost` object: one named, frozen function per channel, each passing
 * only (channel, request) to `invoke`. Used by the real preload and, as source text, by the UI
 * test harness — so this function must stay self-contained (no imports, no outer names).
 */
export function buildSurface(
  channelNames: readonly string[],
  invoke: (channel: string, request: unknown) => Promise<unknown>,
): Readonly<Record<string, (request?: unknown) => Promise<unknown>>> {
  const surface: Record<string, (request?: unknown) => Promise<unknown>> = {}
  for (const channel of channelNames) {
    const [domain = '', verb = ''] = channel.split(':')
    const name =
      domain +
      verb
        .split('-')
        .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
        .join('')
    surface[name] = (request?: unknown) => invoke(channel, request)
  }
  return Object.freeze(surface)
}
