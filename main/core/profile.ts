import { join, resolve } from 'node:path'

export interface ProfileEnv {
  platform: NodeJS.Platform
  home: string
  env: Readonly<Record<string, string | undefined>>
  cwd: string
}

/**
 * The profile folder: `--profile`, else `SIEGELPOST_PROFILE`, else "Siegelpost" in the OS
 * app-data folder — the same folder Electron's `userData` is for an app named Siegelpost, so
 * the CLI and the desktop app share one profile.
 */
export function resolveProfileDir(flag: string | undefined, system: ProfileEnv): string {
  const chosen = flag ?? system.env.SIEGELPOST_PROFILE
  if (chosen !== undefined && chosen !== '') return resolve(system.cwd, chosen)
  return join(appDataDir(system), 'Siegelpost')
}

function appDataDir({ platform, home, env }: ProfileEnv): string {
  if (platform === 'win32') return env.APPDATA ?? join(home, 'AppData', 'Roaming')
  if (platform === 'darwin') return join(home, 'Library', 'Application Support')
  return env.XDG_CONFIG_HOME || join(home, '.config')
}
