/**
 * What main tells the window without being asked (the preload passes it on as `window.siegelpostShell`): show
 * a section, e.g. the Posteingang after a click on the new-mail notification. Imports nothing (preload bundle).
 */
export const showSectionChannel = 'siegelpost:show-section'

/** The sections main may ask the window to show. */
export const shellSections = ['inbox'] as const
export type ShellSection = (typeof shellSections)[number]

export const isShellSection = (value: unknown): value is ShellSection =>
  typeof value === 'string' && (shellSections as readonly string[]).includes(value)
