import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const root = new URL('..', import.meta.url)
interface PlatformConfig {
  target: string[]
  icon: string
}
interface BuilderConfig {
  productName: string
  asar: boolean
  files: string[]
  electronFuses: Record<string, boolean>
  linux: PlatformConfig
  win: PlatformConfig
  mac: PlatformConfig
}
const config = parse(readFileSync(new URL('electron-builder.yml', root), 'utf8')) as BuilderConfig

describe('electron-builder.yml', () => {
  it('builds AppImage, deb, NSIS and dmg', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']))
    expect(config.win.target).toContain('nsis')
    expect(config.mac.target).toContain('dmg')
  })

  it('sets the Electron fuses that close Node-mode and inspector backdoors', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    })
    expect(config.asar).toBe(true)
  })

  it('ships the built app and an icon that exists in the repository', () => {
    expect(config.files).toContain('out/**')
    for (const platform of ['linux', 'win', 'mac'] as const)
      expect(existsSync(new URL(config[platform].icon, root))).toBe(true)
  })

  it('matches package.json (main entry, Node 24 engines, productName)', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'))
    expect(pkg.main).toBe('out/main/index.js')
    expect(pkg.engines.node).toMatch(/^>=24/)
    expect(config.productName).toBe(pkg.productName)
  })
})
