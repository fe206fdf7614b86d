import { describe, expect, it } from 'vitest'
import { resolveProfileDir } from './profile.ts'

const linux = { platform: 'linux' as const, home: '/home/anna', env: {}, cwd: '/work' }

describe('profile folder', () => {
  it('prefers --profile, then SIEGELPOST_PROFILE, both made absolute', () => {
    expect(resolveProfileDir('p1', { ...linux, env: { SIEGELPOST_PROFILE: '/x' } })).toBe('/work/p1')
    expect(resolveProfileDir(undefined, { ...linux, env: { SIEGELPOST_PROFILE: 'rel' } })).toBe('/work/rel')
  })

  it('defaults to the app-data folder Electron uses for userData', () => {
    expect(resolveProfileDir(undefined, linux)).toBe('/home/anna/.config/Siegelpost')
    expect(resolveProfileDir(undefined, { ...linux, env: { XDG_CONFIG_HOME: '/cfg' } })).toBe('/cfg/Siegelpost')
    expect(resolveProfileDir(undefined, { ...linux, platform: 'darwin' })).toBe(
      '/home/anna/Library/Application Support/Siegelpost',
    )
  })
})
